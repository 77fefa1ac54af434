from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("portal.portal_urls")),
    path("entreprises/<int:company_id>/equipes/", include("teams.urls")),
    path("", include("invitations.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("dev/", include("portal.outbox_urls"))]
