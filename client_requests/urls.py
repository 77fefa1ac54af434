from django.urls import path

from client_requests.views import (
    bank_details,
    company_requests,
    early_buyout,
    fund_operations,
    pipeline,
)

app_name = "client_requests"

# Mounted at entreprises/<id:company_id>/. One block per section; each view module owns its block.
urlpatterns = [
    # every request the member may see, whatever its section
    path("demandes/", pipeline.index, name="index"),
    path("demandes/<id:request_id>/", pipeline.detail, name="detail"),
    path("demandes/<id:request_id>/completer/", pipeline.complete, name="complete"),
    path(
        "demandes/<id:request_id>/pieces/<id:attachment_id>/",
        pipeline.attachment,
        name="attachment",
    ),
    path(
        "demandes/<id:request_id>/pieces/<id:attachment_id>/relecture/",
        pipeline.review,
        name="review",
    ),
    # Demandes de l'entreprise (company_requests)
    path("demandes-entreprise/", company_requests.index, name="company_requests"),
    # Gestion des fonds (fund_operations)
    path("gestion-des-fonds/", fund_operations.index, name="fund_operations"),
    # Changement de RIB (bank_details)
    path("changement-de-rib/", bank_details.index, name="bank_details"),
    # Rachat anticipé (early_buyout)
    path("rachat-anticipe/", early_buyout.index, name="early_buyout"),
]
