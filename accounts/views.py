"""Logging in and out, the password reset pages and Mon compte (one's own mobile)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import LoginForm, MobileChangeForm
from accounts.http import current_user
from accounts.models import User
from accounts.password_reset import password_reset_request
from accounts.services import (
    LoginRefused,
    MobileChangeRefused,
    SecondFactorRefused,
    authenticate_throttled,
    login_passkey_ceremony,
    login_pending_user,
    login_sms_challenge,
    login_sms_send,
    login_sms_verify,
    login_start,
    mobile_change_request,
    mobile_is_bank_record,
    mobile_set_by_support_message,
    no_second_factor_message,
)
from accounts.services import mobile_change_confirm as mobile_change_confirm_service
from accounts.services.sessions import sessions_end_others, sessions_listed
from audit.services import client_ip
from otp.forms import SignatureCodeForm
from otp.services import NoMobileNumber, SignatureError, mask_phone

MOBILE_CHANGE_SESSION_KEY = "portal_mobile_change"


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
        return render(request, "accounts/login.html", {"form": LoginForm(), "next": next_url})
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
            try:
                error = login_start(
                    request=request, user=user, next_url=next_url, now=timezone.now()
                )
            except SecondFactorRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                if error:
                    messages.error(request, error)
                return HttpResponseRedirect(reverse("accounts:login_second_step"))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _login_code_send(request: HttpRequest, user: User) -> None:
    """Send the login code; a refusal (too many SMS, provider down) is shown on the second step."""
    try:
        login_sms_send(request=request, user=user, now=timezone.now())
    except (SignatureError, SecondFactorRefused) as refusal:
        messages.error(request, refusal.message)


@login_not_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_second_step(request: HttpRequest) -> HttpResponse:
    """The second factor: a code sent by SMS (or, beside it, another factor's button)."""
    user = login_pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("accounts:login"))
    form = SignatureCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            next_url = login_sms_verify(
                request=request, user=user, code=form.cleaned_data["code"], now=timezone.now()
            )
        except (SignatureError, SecondFactorRefused) as refusal:
            error = refusal.message
        else:
            return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    challenge = login_sms_challenge(request, user=user)
    context = {
        "form": form,
        "error": error,
        "pending_user": user,
        "challenge": challenge,
        "masked_phone": mask_phone(user.mobile) if user.mobile else "",
        "no_second_factor": "" if user.mobile else no_second_factor_message(),
        "confirming_mobile": user.mobile_confirmed_at is None,
        "lifetime_minutes": settings.OTP_CODE_LIFETIME_SECONDS // 60,
        "passkey": login_passkey_ceremony(request, user=user, now=timezone.now()),
    }
    return render(request, "accounts/login_second_step.html", context)


@login_not_required
@csrf_protect
@never_cache
@require_POST
def login_code_send(request: HttpRequest) -> HttpResponse:
    user = login_pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("accounts:login"))
    _login_code_send(request, user)
    return HttpResponseRedirect(reverse("accounts:login_second_step"))


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

    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        password_reset_request(email=form.cleaned_data["email"], ip_address=client_ip(self.request))
        return HttpResponseRedirect(self.get_success_url())


def _account_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    user = current_user(request)
    context = {
        "sessions": sessions_listed(
            user=user, current_key=request.session.session_key, now=timezone.now()
        ),
        "account": user,
        "masked_mobile": mask_phone(user.mobile) if user.mobile else "",
        # an administrator's mobile is the bank's record: the page says who changes it, no form
        "mobile_set_by_support": (
            mobile_set_by_support_message() if mobile_is_bank_record(user=user) else ""
        ),
    }
    return render(request, "accounts/account.html", context, status=status)


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@require_POST
def sessions_end_others_view(request: HttpRequest) -> HttpResponse:
    ended = sessions_end_others(request=request, user=current_user(request), now=timezone.now())
    messages.success(
        request,
        ngettext(
            "%(n)s autre session a été fermée.", "%(n)s autres sessions ont été fermées.", ended
        )
        % {"n": ended}
        if ended
        else _("Aucune autre session n’était ouverte."),
    )
    return HttpResponseRedirect(reverse("accounts:account"))


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def mobile_change(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
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
            return HttpResponseRedirect(reverse("accounts:mobile_change_confirm"))
    return render(request, "accounts/mobile_change.html", {"form": form, "error": error})


@never_cache
@require_http_methods(["GET", "POST"])
def mobile_change_confirm(request: HttpRequest) -> HttpResponse:
    if mobile_is_bank_record(user=current_user(request)):
        return _account_page(request, status=403)
    pending = request.session.get(MOBILE_CHANGE_SESSION_KEY)
    if not isinstance(pending, dict):
        return HttpResponseRedirect(reverse("accounts:mobile_change"))
    form = SignatureCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            mobile_change_confirm_service(
                user=current_user(request),
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
            return HttpResponseRedirect(reverse("accounts:account"))
    context = {
        "form": form,
        "error": error,
        "masked_phone": mask_phone(pending.get("mobile", "")) if pending.get("mobile") else "",
        "lifetime_minutes": settings.OTP_CODE_LIFETIME_SECONDS // 60,
    }
    return render(request, "accounts/mobile_change_confirm.html", context)
