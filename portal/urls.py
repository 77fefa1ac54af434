from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from portal.converters import IdConverter

# before the includes below: every id in a URL is an <id:...>
register_converter(IdConverter, "id")

# the Django admin is the bank's support desk
admin.site.site_header = _("Mes équipes — support de la banque")
admin.site.site_title = _("Support Mes équipes")
admin.site.index_title = _("Entreprises, équipes et demandes")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("portal.portal_urls")),
    path("entreprises/<id:company_id>/equipes/", include("teams.urls")),
    path("", include("invitations.urls")),
    path("entreprises/<id:company_id>/documents/", include("documents.urls")),
    path("entreprises/<id:company_id>/tresorerie/", include("treasury.urls")),
    path("entreprises/<id:company_id>/", include("client_requests.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("dev/", include("portal.outbox_urls"))]
