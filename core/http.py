"""The request type of every view that reads `request.htmx`.

`django_htmx.middleware.HtmxMiddleware` (in MIDDLEWARE) sets `request.htmx` on every request;
typing a view's request as `HtmxHttpRequest` says so to mypy, as django-htmx's example project
does, so that no view needs a `type: ignore` to read it.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def redirect_to(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Go to `url`: htmx is told to follow it as a whole page, a plain request is redirected."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)
