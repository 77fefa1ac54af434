from django.urls import path

from invitations import views

app_name = "invitations"

_company = "entreprises/<id:company_id>/equipes/invitations/"

urlpatterns = [
    path(f"{_company}nouvelle/", views.create, name="create"),
    path(f"{_company}groupe/nouvelle/", views.batch_create, name="batch_create"),
    path(f"{_company}groupe/fichier/", views.batch_upload, name="batch_upload"),
    path(f"{_company}groupe/modele.csv", views.batch_file_template, name="batch_file_template"),
    path(f"{_company}groupe/<id:batch_id>/signer/", views.batch_sign, name="batch_sign"),
    path(
        f"{_company}groupe/<id:batch_id>/signer/code/",
        views.batch_send_code,
        name="batch_send_code",
    ),
    path(f"{_company}<id:invitation_id>/signer/", views.sign, name="sign"),
    path(f"{_company}<id:invitation_id>/signer/code/", views.send_code, name="send_code"),
    path(f"{_company}<id:invitation_id>/droits/", views.edit_rights, name="edit_rights"),
    path(f"{_company}<id:invitation_id>/renvoyer/", views.resend, name="resend"),
    path(f"{_company}<id:invitation_id>/revoquer/", views.revoke, name="revoke"),
    path("invitation/<str:token>/", views.accept, name="accept"),
]
