from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views, views_passkeys

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("connexion/second-facteur/", views.login_second_step, name="login_second_step"),
    path("connexion/second-facteur/sms/", views.login_code_send, name="login_code_send"),
    path(
        "connexion/second-facteur/cle-d-acces/",
        views_passkeys.login_passkey,
        name="login_passkey",
    ),
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
            success_url=reverse_lazy("accounts:password_reset_complete"),
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
    path("compte/", views.account, name="account"),
    path(
        "compte/sessions/deconnecter-les-autres/",
        views.sessions_end_others_view,
        name="sessions_end_others",
    ),
    path("compte/mobile/", views.mobile_change, name="mobile_change"),
    path("compte/mobile/confirmer/", views.mobile_change_confirm, name="mobile_change_confirm"),
    path("compte/cles-d-acces/", views_passkeys.passkeys, name="passkeys"),
    path(
        "compte/cles-d-acces/<int:passkey_id>/renommer/",
        views_passkeys.passkey_rename_view,
        name="passkey_rename",
    ),
    path(
        "compte/cles-d-acces/<int:passkey_id>/supprimer/",
        views_passkeys.passkey_remove_view,
        name="passkey_remove",
    ),
    path(
        "compte/cles-d-acces/<int:passkey_id>/supprimer/code/",
        views_passkeys.passkey_remove_send_code,
        name="passkey_remove_send_code",
    ),
]
