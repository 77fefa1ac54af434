import logging

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from accounts.http import current_user
from core import dev_outbox
from core.http import HtmxHttpRequest
from permissions.checks import CompanyRequest, held_rights, require_membership
from permissions.selectors import grantable_rights
from portal.selectors import picker_for

logger = logging.getLogger(__name__)


@require_GET
def company_picker(request: HttpRequest) -> HttpResponse:
    picker = picker_for(user=current_user(request))
    context = {"memberships": picker.memberships, "suspended": picker.suspended}
    return render(request, "portal/company_picker.html", context)


@require_GET
@require_membership
def company_home(request: CompanyRequest, company_id: int) -> HttpResponse:
    context = {
        "company": request.company,
        "membership": request.membership,
        "options": grantable_rights(request.company),
        "holds_rights": bool(held_rights(request.membership)),
    }
    return render(request, "portal/company_home.html", context)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database check failed", exc_info=True)
        return "error"
    return "ok"


def _redis_status() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError):
        logger.warning("healthz: redis check failed", exc_info=True)
        return "error"
    return "ok"


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_status(), "redis": _redis_status()}
    healthy = all(status in ("ok", "not configured") for status in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


def _require_debug() -> None:
    if not settings.DEBUG:
        raise Http404


@login_not_required
@never_cache
@require_GET
def outbox_index(request: HtmxHttpRequest) -> HttpResponse:
    # Public while DEBUG: an invitee with no account yet reads their email here.
    _require_debug()
    template = "portal/outbox.html"
    if request.htmx:
        template += "#outbox-list"
    return render(request, template, {"messages_sent": dev_outbox.list_messages()})


@login_not_required
@never_cache
@require_GET
def outbox_message(request: HttpRequest, kind: str, name: str) -> HttpResponse:
    _require_debug()
    message = dev_outbox.get_message(kind=kind, name=name)
    if message is None:
        raise Http404
    return render(request, "portal/outbox_message.html", {"message": message})


# The email as its recipient's mail client shows it: its inline styles, nothing that runs.
EMAIL_PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"
)


@login_not_required
@never_cache
@xframe_options_sameorigin
@require_GET
def outbox_message_html(request: HttpRequest, kind: str, name: str) -> HttpResponse:
    """The HTML part alone, framed by the message page (a srcdoc frame would inherit its CSP)."""
    _require_debug()
    message = dev_outbox.get_message(kind=kind, name=name)
    if message is None or not message.html:
        raise Http404
    response = HttpResponse(message.html, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = EMAIL_PREVIEW_POLICY
    return response
