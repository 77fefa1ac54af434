"""`make load`'s URLs: the product's, plus the one-query view its page latencies are compared to.

The view goes through the whole middleware stack as a logged-in member, like the pages.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import format_html
from django.views.decorators.http import require_GET

from companies.models import Company
from portal.urls import urlpatterns as product_urlpatterns

ONE_QUERY_PATH = "charge/une-requete/"


@require_GET
def one_query_page(request: HttpRequest) -> HttpResponse:
    name = Company.objects.order_by("pk").values_list("name", flat=True).first()
    return HttpResponse(format_html("<!doctype html><title>Mesure</title><p>{}</p>", name))


urlpatterns = [
    path(ONE_QUERY_PATH, one_query_page, name="load_one_query"),
    *product_urlpatterns,
]
