from django.apps import AppConfig

from portal.celery import app as celery_app


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"

    def ready(self) -> None:
        # models are importable only once the registry is ready: these modules import them
        from core import outbox
        from portal import password_reset, signals  # noqa: F401  (connects the receivers)

        outbox.renderer_register(password_reset.RENDERER, password_reset.password_reset_render)
        # every app's tasks known in this process too: the outbox queues its task by name, and
        # under `make run` (CELERY_TASK_ALWAYS_EAGER) runs it here
        celery_app.autodiscover_tasks(force=True)
