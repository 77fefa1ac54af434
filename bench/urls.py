"""The product's URLs plus the two baseline views; only the bench's conftest mounts this urlconf.

Both baselines go through the product's whole middleware stack (sessions, CSRF, authentication,
login required, CSP, htmx...) as a logged-in member, like the pages they are compared to.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_GET

from companies.models import Company
from portal.urls import urlpatterns as product_urlpatterns

TINY = engines["django"].from_string("<!doctype html><title>{{ title }}</title><p>{{ text }}</p>")


@require_GET
def tiny_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(TINY.render({"title": "Mesure", "text": "Bonjour"}, request))


@require_GET
def one_query_page(request: HttpRequest) -> HttpResponse:
    name = Company.objects.order_by("pk").values_list("name", flat=True).first()
    return HttpResponse(TINY.render({"title": "Mesure", "text": name}, request))


urlpatterns = [
    path("bench/baseline/", tiny_page, name="bench_baseline"),
    path("bench/one-query/", one_query_page, name="bench_one_query"),
    *product_urlpatterns,
]
