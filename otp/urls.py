"""Mon compte's list of one's own authorisations (mounted at the site's root, under compte/)."""

from django.urls import path

from otp import views

app_name = "otp"

urlpatterns = [
    path("compte/autorisations/", views.own_authorisations_page, name="own_authorisations"),
    path(
        "compte/autorisations/<uuid:authorisation_id>/pdf/",
        views.own_authorisation_download,
        name="own_authorisation_download",
    ),
]
