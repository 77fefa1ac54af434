from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientRequestsConfig(AppConfig):
    name = "client_requests"
    verbose_name = _("Demandes de l’entreprise")
