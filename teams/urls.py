from django.urls import path

from teams import views
from teams.views.authorisations import authorisation_download, authorisation_proof_download

app_name = "teams"

_member = "membres/<id:membership_id>/"

urlpatterns = [
    path("", views.team, name="team"),
    path("revue-des-acces/", views.access_review, name="access_review"),
    path("revue-des-acces.csv", views.access_review_csv, name="access_review_csv"),
    path(_member, views.member, name="member"),
    path(f"{_member}droits/", views.rights_review, name="rights_review"),
    path(f"{_member}droits/retirer/", views.rights_remove_confirmed, name="rights_remove"),
    path(f"{_member}droits/signature/", views.rights_request, name="rights_request"),
    path(f"{_member}droits/<id:change_id>/signer/", views.rights_sign, name="rights_sign"),
    path(
        f"{_member}droits/<id:change_id>/signer/code/",
        views.rights_send_code,
        name="rights_send_code",
    ),
    path(f"{_member}suspendre/", views.member_suspend_view, name="member_suspend"),
    path(f"{_member}reactiver/", views.member_reactivate_view, name="member_reactivate"),
    path(f"{_member}retirer/", views.member_remove_view, name="member_remove"),
    path(
        "autorisations/<uuid:authorisation_id>/pdf/",
        authorisation_download,
        name="authorisation_download",
    ),
    path(
        "autorisations/<uuid:authorisation_id>/preuve/",
        authorisation_proof_download,
        name="authorisation_proof_download",
    ),
]
