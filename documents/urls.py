from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("", views.index, name="index"),
    path("contrats/<id:contract_id>/", views.contract_detail, name="contract"),
    path(
        "contrats/<id:contract_id>/documents/<id:document_id>/telecharger/",
        views.document_download,
        name="download",
    ),
    path(
        "contrats/<id:contract_id>/amortissement.csv",
        views.amortisation_csv_download,
        name="amortisation_csv",
    ),
    path(
        "contrats/<id:contract_id>/amortissement.pdf",
        views.amortisation_pdf_download,
        name="amortisation_pdf",
    ),
    path("contrats/<id:contract_id>/duplicata/", views.duplicate_request, name="duplicate"),
    path("duplicatas/", views.duplicate_requests, name="duplicate_requests"),
]
