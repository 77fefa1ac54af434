from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from portal.converters import IdConverter

# before the includes below: every id in a URL is an <id:...>
register_converter(IdConverter, "id")

# the Django admin is the bank's support desk
admin.site.site_header = _("Mes équipes — support de la banque")
admin.site.site_title = _("Support Mes équipes")
admin.site.index_title = _("Entreprises, équipes et demandes")

urlpatterns = [
    path("admin/", admin.site.urls),
    # the language switcher in the footer of base.html, on every page including the login page: Django's
    # view (POST only, CSRF, refuses an unsafe `next`) made public, as django.conf.urls.i18n mounts it
    path("langue/", login_not_required(set_language), name="set_language"),
    path("", include("portal.portal_urls")),
    path("", include("accounts.urls")),
    path("", include("otp.urls")),
    path("entreprises/<id:company_id>/equipes/", include("teams.urls")),
    path("entreprises/<id:company_id>/journal/", include("audit.urls")),
    path("entreprises/<id:company_id>/equipes/revue-periodique/", include("reviews.urls")),
    path("", include("invitations.urls")),
    path("entreprises/<id:company_id>/documents/", include("documents.urls")),
    path("entreprises/<id:company_id>/tresorerie/", include("treasury.urls")),
    path("entreprises/<id:company_id>/", include("client_requests.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("dev/", include("portal.outbox_urls"))]
