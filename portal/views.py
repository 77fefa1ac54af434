import logging
import uuid
from typing import Any

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import PasswordResetView
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from audit.services import client_ip
from core import dev_outbox
from otp.authorisation_pdf import authorisation_filename, authorisation_pdf
from otp.forms import SignatureCodeForm
from otp.selectors import own_authorisation, own_authorisations
from otp.services import (
    NoMobileNumber,
    SignatureError,
    authorisation_download_record,
    mask_phone,
)
from permissions.checks import CompanyRequest, held_rights, require_membership
from permissions.selectors import grantable_rights
from portal.downloads import content_download
from portal.forms import LoginForm, MobileChangeForm
from portal.models import User
from portal.password_reset import password_reset_request
from portal.selectors import memberships_for_picker
from portal.services import (
    LoginRefused,
    MobileChangeRefused,
    authenticate_throttled,
    mobile_change_request,
    mobile_is_bank_record,
    mobile_set_by_support_message,
)
from portal.services import mobile_change_confirm as mobile_change_confirm_service

logger = logging.getLogger(__name__)


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.method != "POST":
        return render(request, "registration/login.html", {"form": LoginForm(), "next": next_url})
    form = LoginForm(data=request.POST)
    if form.is_valid():
        try:
            user = authenticate_throttled(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except LoginRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            # login() rotates the session key; the user_logged_in handler stamps portal_login_at.
            login(request, user)
            return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "registration/login.html", {"form": form, "next": next_url})


@login_not_required
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    was_logged_in = request.user.is_authenticated
    logout(request)
    if was_logged_in:
        messages.success(request, _("Vous êtes déconnecté. À bientôt."))
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))


class PortalPasswordResetView(PasswordResetView):
    """Same page, in the same time, whether or not the email has an account: a task sends it."""

    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("portal:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        password_reset_request(email=form.cleaned_data["email"], ip_address=client_ip(self.request))
        return HttpResponseRedirect(self.get_success_url())


@require_GET
def company_picker(request: HttpRequest) -> HttpResponse:
    memberships = memberships_for_picker(user=request.user)
    return render(request, "portal/company_picker.html", {"memberships": memberships})


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
def outbox_index(request: HtmxRequest) -> HttpResponse:
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


# --- My account: changing one's own mobile ------------------------------------------------

MOBILE_CHANGE_SESSION_KEY = "portal_mobile_change"


def _account_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _account_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    user = _account_user(request)
    context = {
        "account": user,
        "masked_mobile": mask_phone(user.mobile) if user.mobile else "",
        # an administrator's mobile is the bank's record: the page says who changes it, no form
        "mobile_set_by_support": (
            mobile_set_by_support_message() if mobile_is_bank_record(user=user) else ""
        ),
    }
    return render(request, "portal/account.html", context, status=status)


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@require_GET
def own_authorisations_page(request: HttpRequest) -> HttpResponse:
    """Mes autorisations d’accès: every signed authorisation that names me, in every company."""
    user = _account_user(request)
    return render(
        request,
        "portal/own_authorisations.html",
        {"authorisations": own_authorisations(email=user.email)},
    )


@require_GET
def own_authorisation_download(
    request: HttpRequest, authorisation_id: uuid.UUID
) -> HttpResponseBase:
    user = _account_user(request)
    # someone else's authorisation looks missing, even in a company of mine
    authorisation = own_authorisation(email=user.email, authorisation_id=authorisation_id)
    if authorisation is None:
        raise Http404
    authorisation_download_record(
        actor=user, authorisation=authorisation, ip_address=client_ip(request), via="account"
    )
    return content_download(
        authorisation_pdf(authorisation=authorisation),
        filename=authorisation_filename(authorisation),
        content_type="application/pdf",
    )


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def mobile_change(request: HttpRequest) -> HttpResponse:
    user = _account_user(request)
    if mobile_is_bank_record(user=user):
        return _account_page(request, status=403)
    form = MobileChangeForm(request.POST or None)
    error = "" if user.mobile else NoMobileNumber().message
    if request.method == "POST" and form.is_valid() and not error:
        new_mobile = form.mobile_e164()
        try:
            challenge = mobile_change_request(
                request=request,
                user=user,
                password=form.cleaned_data["password"],
                new_mobile=new_mobile,
                now=timezone.now(),
            )
        except MobileChangeRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        except SignatureError as failure:
            error = failure.message
        else:
            request.session[MOBILE_CHANGE_SESSION_KEY] = {
                "challenge": str(challenge.pk),
                "mobile": new_mobile,
            }
            return HttpResponseRedirect(reverse("portal:mobile_change_confirm"))
    return render(request, "portal/mobile_change.html", {"form": form, "error": error})


@never_cache
@require_http_methods(["GET", "POST"])
def mobile_change_confirm(request: HttpRequest) -> HttpResponse:
    if mobile_is_bank_record(user=_account_user(request)):
        return _account_page(request, status=403)
    pending = request.session.get(MOBILE_CHANGE_SESSION_KEY)
    if not isinstance(pending, dict):
        return HttpResponseRedirect(reverse("portal:mobile_change"))
    form = SignatureCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            mobile_change_confirm_service(
                user=_account_user(request),
                challenge_id=str(pending.get("challenge", "")),
                new_mobile=str(pending.get("mobile", "")),
                code=form.cleaned_data["code"],
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except SignatureError as failure:
            error = failure.message
        else:
            request.session.pop(MOBILE_CHANGE_SESSION_KEY, None)
            messages.success(
                request,
                _(
                    "Votre numéro de mobile est changé : les prochains codes y seront envoyés. "
                    "L’ancien numéro en est prévenu par SMS."
                ),
            )
            return HttpResponseRedirect(reverse("portal:account"))
    context = {
        "form": form,
        "error": error,
        "masked_phone": mask_phone(pending.get("mobile", "")) if pending.get("mobile") else "",
        "lifetime_minutes": settings.OTP_CODE_LIFETIME_SECONDS // 60,
    }
    return render(request, "portal/mobile_change_confirm.html", context)
