from django.apps import AppConfig

from portal.celery import app as celery_app


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"

    def ready(self) -> None:
        # every app's tasks known in this process too: the outbox queues its task by name, and
        # under `make run` (CELERY_TASK_ALWAYS_EAGER) runs it here
        celery_app.autodiscover_tasks(force=True)
