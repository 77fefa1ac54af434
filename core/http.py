"""The request type of every view that reads `request.htmx`.

`django_htmx.middleware.HtmxMiddleware` (in MIDDLEWARE) sets `request.htmx` on every request;
typing a view's request as `HtmxHttpRequest` says so to mypy, as django-htmx's example project
does, so that no view needs a `type: ignore` to read it.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
