"""The emailed link: GET shows, POST accepts, only for the invited email."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from phonenumber_field.phonenumber import PhoneNumber

from accounts import login_throttle
from accounts.http import current_user
from accounts.models import User
from accounts.services import (
    LoginRefused,
    authenticate_throttled,
    login_is_locked,
    login_start,
    login_with_confirmed_mobile,
)
from accounts.services.login import login_locked_message
from audit.services import client_ip
from companies.models import Membership
from core.text import french_elide
from invitations import link_throttle
from invitations.forms import (
    AcceptLoginForm,
    AcceptNewAccountForm,
)
from invitations.models import Invitation
from invitations.services import (
    AccountExists,
    InvitationLinkInvalid,
    InvitationRefused,
    WrongAccount,
    invitation_accept,
    invitation_accept_new_account,
    invitation_acceptance_begin,
    invitation_acceptance_resend,
    invitation_for_token,
    signed_rights,
)
from otp.forms import SignatureCodeForm
from otp.services import SignatureError, mask_phone

# Who looks at the link: a visitor who is not logged in (ANONYMOUS) is offered both ways in,
# whether or not an account exists for the invited email: the page never tells which.
ANONYMOUS, ACCEPT, WRONG_ACCOUNT = "anonymous", "accept", "wrong_account"


# the forms of the anonymous page; each posts which one it is
LOGIN_FORM, NEW_ACCOUNT_FORM = "login", "new_account"
# the new account's second step: the code sent to the mobile typed, or another one
CONFIRM_MOBILE, RESEND_CODE = "confirm_mobile", "resend_code"
# the new account waiting for its mobile's code (never the password: only its hash)
ACCEPTANCE_SESSION_KEY = "portal_acceptance"


def mask_email(email: str) -> str:
    """Enough for the invitee to recognise their address, nothing for anyone else."""
    return f"{email[:1]}•••@…"


def _national(number: PhoneNumber | str | None) -> str:
    """A French number as the person writes it (06 12 34 56 78); a foreign one with its prefix."""
    if not isinstance(number, PhoneNumber) or not number:
        return ""
    return str(number.as_national if number.country_code == 33 else number.as_international)


def _accept_mode(request: HttpRequest, invitation: Invitation) -> str:
    user = request.user
    if user.is_authenticated:
        same = isinstance(user, User) and user.email.lower() == invitation.email.lower()
        return ACCEPT if same else WRONG_ACCOUNT
    return ANONYMOUS


def _posted_form(request: HttpRequest) -> str:
    chosen = request.POST.get("accept_with")
    if chosen in (LOGIN_FORM, NEW_ACCOUNT_FORM, CONFIRM_MOBILE, RESEND_CODE):
        return str(chosen)
    return NEW_ACCOUNT_FORM if "password1" in request.POST else LOGIN_FORM


def _account_refused_message() -> str:
    # the same words whether the address has an account or cannot have one: nothing is revealed
    return _(
        "Impossible de créer un compte avec cette adresse. Si vous en avez déjà un, "
        "connectez-vous ci-dessus."
    )


def _link_stays_on_site(response: HttpResponse) -> HttpResponse:
    # the token is in the URL: no other site may ever see it in a Referer header
    # same-origin: the link never leaves the site, and the form's POST keeps its Origin for CSRF
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _accept_page(
    request: HttpRequest,
    invitation: Invitation,
    mode: str,
    *,
    form: AcceptNewAccountForm | None = None,
    login_form: AcceptLoginForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if mode == ANONYMOUS and form is None:
        form = AcceptNewAccountForm(
            email=invitation.email,
            initial={
                "first_name": invitation.first_name,
                "last_name": invitation.last_name,
                "mobile": _national(invitation.mobile),
            },
        )
    context = {
        "invitation": invitation,
        "invited_company": invitation.company,
        "inviter": invitation.invited_by,
        "rights": signed_rights(invitation),
        "mode": mode,
        "form": form,
        "login_form": login_form or AcceptLoginForm(),
        "masked_email": mask_email(invitation.email),
    }
    return _link_stays_on_site(render(request, "invitations/accept.html", context, status=status))


def _invalid_link(request: HttpRequest, invalid: InvitationLinkInvalid) -> HttpResponse:
    invitation = invalid.invitation
    context = {
        "reason": invalid.reason,
        "inviter": invitation.invited_by if invitation is not None else None,
        "invited_company": invitation.company if invitation is not None else None,
        "replaced_at": invitation.link_replaced_at if invitation is not None else None,
    }
    # a suspended member is refused (403): the link itself is still good
    status = {"unknown": 404, "suspended": 403}.get(invalid.reason, 410)
    return _link_stays_on_site(
        render(request, "invitations/link_invalid.html", context, status=status)
    )


def _welcome_message(request: HttpRequest, membership: Membership) -> None:
    messages.success(
        request,
        _("Bienvenue dans l’espace %(of_company)s.")
        % {"of_company": french_elide("de", membership.company.name)},
    )


def _welcome(request: HttpRequest, membership: Membership) -> HttpResponse:
    _welcome_message(request, membership)
    return HttpResponseRedirect(reverse("portal:company_home", args=[membership.company_id]))


def _accept_existing_account(
    request: HttpRequest, invitation: Invitation, token: str, now: datetime.datetime
) -> HttpResponse:
    form = AcceptLoginForm(request.POST)
    if form.is_valid():
        # the login page's throttle and message: this password field is no way around them, and
        # a wrong password reads the same whether or not the invited email has an account
        try:
            user = authenticate_throttled(
                request=request, email=invitation.email, password=form.cleaned_data["password"]
            )
        except LoginRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            if login_is_locked(user=user):
                form.add_error(None, login_locked_message())
                return _accept_page(request, invitation, ANONYMOUS, login_form=form)
            membership = invitation_accept(
                token=token, user=user, ip_address=client_ip(request), now=now
            )
            # the invitation is accepted; the session still needs the account's second factor
            home = reverse("portal:company_home", args=[membership.company_id])
            if error := login_start(request=request, user=user, next_url=home, now=now):
                messages.error(request, error)
            _welcome_message(request, membership)
            return HttpResponseRedirect(reverse("accounts:login_second_step"))
    return _accept_page(request, invitation, ANONYMOUS, login_form=form)


def _accept_new_account(
    request: HttpRequest, invitation: Invitation, token: str, now: datetime.datetime
) -> HttpResponse:
    form = AcceptNewAccountForm(request.POST, email=invitation.email)
    if not form.is_valid():
        return _accept_page(request, invitation, ANONYMOUS, form=form)
    try:
        pending = invitation_acceptance_begin(
            token=token,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            mobile=form.mobile_e164(),
            password=form.cleaned_data["password1"],
            now=now,
        )
    except AccountExists:
        # nothing was saved; the answer does not say an account exists
        form.add_error(None, _account_refused_message())
        return _accept_page(request, invitation, ANONYMOUS, form=form)
    except InvitationRefused as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return _accept_page(request, invitation, ANONYMOUS, form=form)
    except SignatureError as failure:
        form.add_error("mobile", failure.message)
        return _accept_page(request, invitation, ANONYMOUS, form=form)
    request.session[ACCEPTANCE_SESSION_KEY] = pending
    return _confirm_mobile_page(request, invitation, pending, SignatureCodeForm())


def _confirm_mobile_page(
    request: HttpRequest,
    invitation: Invitation,
    pending: dict[str, Any],
    form: SignatureCodeForm,
    *,
    error: str = "",
) -> HttpResponse:
    context = {
        "invitation": invitation,
        "invited_company": invitation.company,
        "form": form,
        "error": error,
        "masked_phone": mask_phone(str(pending.get("mobile", ""))),
        "lifetime_minutes": settings.OTP_CODE_LIFETIME_SECONDS // 60,
    }
    return _link_stays_on_site(render(request, "invitations/accept_confirm_mobile.html", context))


def _pending_acceptance(request: HttpRequest, invitation: Invitation) -> dict[str, Any] | None:
    pending = request.session.get(ACCEPTANCE_SESSION_KEY)
    if isinstance(pending, dict) and pending.get("invitation") == invitation.pk:
        return pending
    return None


def _confirm_mobile(
    request: HttpRequest, invitation: Invitation, token: str, now: datetime.datetime
) -> HttpResponse:
    pending = _pending_acceptance(request, invitation)
    if pending is None:
        return _accept_page(request, invitation, ANONYMOUS)
    form = SignatureCodeForm(request.POST)
    if not form.is_valid():
        return _confirm_mobile_page(request, invitation, pending, form)
    try:
        membership = invitation_accept_new_account(
            token=token,
            pending=pending,
            code=form.cleaned_data["code"],
            ip_address=client_ip(request),
            now=now,
        )
    except SignatureError as failure:
        return _confirm_mobile_page(request, invitation, pending, form, error=failure.message)
    except AccountExists:
        request.session.pop(ACCEPTANCE_SESSION_KEY, None)
        messages.error(request, _account_refused_message())
        return _accept_page(request, invitation, ANONYMOUS)
    request.session.pop(ACCEPTANCE_SESSION_KEY, None)
    home = reverse("portal:company_home", args=[membership.company_id])
    login_with_confirmed_mobile(request=request, user=membership.user, next_url=home, now=now)
    return _welcome(request, membership)


def _resend_code(
    request: HttpRequest, invitation: Invitation, token: str, now: datetime.datetime
) -> HttpResponse:
    pending = _pending_acceptance(request, invitation)
    if pending is None:
        return _accept_page(request, invitation, ANONYMOUS)
    error = ""
    try:
        pending = invitation_acceptance_resend(token=token, pending=pending, now=now)
    except SignatureError as failure:
        error = failure.message
    else:
        request.session[ACCEPTANCE_SESSION_KEY] = pending
    return _confirm_mobile_page(request, invitation, pending, SignatureCodeForm(), error=error)


@login_not_required
@sensitive_post_parameters("password", "password1", "password2")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the invitation and changes nothing (mail scanners follow links); POST accepts.

    What the page offers depends on who looks: a visitor who is not logged in gets one neutral
    page (log in and accept, or create an account), the invited user accepts, anyone else is
    told it is not for them.
    """
    now = timezone.now()
    if wait := link_throttle.wait_seconds(ip_address=client_ip(request)):
        return _link_stays_on_site(
            render(
                request,
                "invitations/link_invalid.html",
                {"reason": "throttled", "retry": login_throttle.message(wait)},
                status=429,
            )
        )
    try:
        invitation = invitation_for_token(token, now=now)
        mode = _accept_mode(request, invitation)
        if request.method != "POST":
            return _accept_page(request, invitation, mode)
        if mode == ANONYMOUS and _posted_form(request) == LOGIN_FORM:
            return _accept_existing_account(request, invitation, token, now)
        if mode == ANONYMOUS and _posted_form(request) == CONFIRM_MOBILE:
            return _confirm_mobile(request, invitation, token, now)
        if mode == ANONYMOUS and _posted_form(request) == RESEND_CODE:
            return _resend_code(request, invitation, token, now)
        if mode == ANONYMOUS:
            return _accept_new_account(request, invitation, token, now)
        if mode == ACCEPT:
            membership = invitation_accept(
                token=token, user=current_user(request), ip_address=client_ip(request), now=now
            )
            return _welcome(request, membership)
        return _accept_page(request, invitation, WRONG_ACCOUNT, status=403)
    except InvitationLinkInvalid as invalid:
        if invalid.reason == "unknown":
            link_throttle.unknown_token_record(ip_address=client_ip(request))
        return _invalid_link(request, invalid)
    except WrongAccount:
        return _accept_page(request, invitation, WRONG_ACCOUNT, status=403)
