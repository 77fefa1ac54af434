from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        # models are importable only once the registry is ready: these modules import them
        from accounts import password_reset, search, signals  # noqa: F401  (connects receivers)
        from core import outbox

        outbox.renderer_register(password_reset.RENDERER, password_reset.password_reset_render)
