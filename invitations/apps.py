from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "invitations"
    verbose_name = "Invitations"

    def ready(self) -> None:
        from invitations import receivers  # noqa: F401  (connects to the outbox's signals)
