from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.company_picker, name="company_picker"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path(
        "mot-de-passe/oublie/",
        views.PortalPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("portal:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("entreprises/<id:company_id>/", views.company_home, name="company_home"),
    path("compte/", views.account, name="account"),
    path("compte/mobile/", views.mobile_change, name="mobile_change"),
    path("compte/autorisations/", views.own_authorisations_page, name="own_authorisations"),
    path(
        "compte/autorisations/<uuid:authorisation_id>/pdf/",
        views.own_authorisation_download,
        name="own_authorisation_download",
    ),
    path("compte/mobile/confirmer/", views.mobile_change_confirm, name="mobile_change_confirm"),
    path("healthz", views.healthz, name="healthz"),
]
