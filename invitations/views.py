"""Invite a collaborator, sign the access authorisation with an SMS code, accept the emailed link."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from audit.services import client_ip
from invitations.forms import (
    AcceptLoginForm,
    AcceptNewAccountForm,
    InvitationForm,
)
from invitations.models import Invitation
from invitations.selectors import company_invitation
from invitations.services import (
    AccountExists,
    InvitationLinkInvalid,
    InvitationRefused,
    WrongAccount,
    invitation_accept,
    invitation_accept_new_account,
    invitation_create,
    invitation_for_token,
    invitation_request_code,
    invitation_resend,
    invitation_revoke,
    invitation_sign,
    signature_payload,
    signature_statement,
    signed_rights,
)
from otp.forms import SignatureCodeForm
from otp.services import (
    SignatureError,
    live_challenge,
    mask_phone,
    resend_available_in,
    signer_refusal,
)
from permissions.catalogue import specs_for
from permissions.checks import CompanyRequest, require_company_admin
from permissions.selectors import grantable_rights
from portal.decorators import require_recent_login
from portal.models import User
from portal.services import LoginRefused, authenticate_throttled
from teams.models import Membership
from teams.selectors import open_invitations

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _htmx(request: HttpRequest) -> HtmxDetails:
    details: HtmxDetails = request.htmx  # type: ignore[attr-defined]  # set by HtmxMiddleware
    return details


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if _htmx(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _team_url(request: CompanyRequest) -> str:
    return reverse("teams:team", args=[request.company.pk])


def _sign_url(request: CompanyRequest, invitation_id: int) -> str:
    return reverse("invitations:sign", args=[request.company.pk, invitation_id])


# --- Invite -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require_company_admin
def create(request: CompanyRequest, company_id: int) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                company=request.company,
                invited_by=_user(request),
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                mobile=form.mobile_e164(),
                rights=form.cleaned_data["rights"],
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except InvitationRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            return _redirect(request, _sign_url(request, invitation.pk))
    selected = set(form["rights"].value() or [])
    context = {
        "company": request.company,
        "form": form,
        "options": [
            (option, option.code in selected) for option in grantable_rights(request.company)
        ],
    }
    return render(request, "invitations/create.html", context)


# --- Sign ---------------------------------------------------------------------------------


def _sign_context(
    request: CompanyRequest,
    invitation: Invitation,
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    signer = _user(request)
    payload = signature_payload(invitation, signer=signer)
    challenge = live_challenge(invitation.challenge, signer=signer, payload=payload, now=now)
    if challenge is not None and not challenge.send_count:
        challenge = None  # its SMS never left: the page offers to send one
    refusal = signer_refusal(signer=signer)
    return {
        "company": request.company,
        "invitation": invitation,
        "rights": specs_for(invitation.rights),
        "statement": signature_statement(invitation, signer=signer),
        "masked_phone": mask_phone(signer.mobile) if signer.mobile else "",
        "cannot_sign_message": refusal.message if refusal is not None else "",
        "challenge": challenge,
        "resend_in": resend_available_in(challenge, now) if challenge else 0,
        "sends_left": settings.OTP_MAX_SENDS - challenge.send_count if challenge else 0,
        "lifetime_minutes": settings.OTP_CODE_LIFETIME_SECONDS // 60,
        "form": form or SignatureCodeForm(),
        "error": error,
    }


def _sign_page(
    request: CompanyRequest,
    invitation_id: int,
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | None = None,
    error: str = "",
) -> HttpResponse:
    invitation = company_invitation(company=request.company, invitation_id=invitation_id)
    if invitation is None:
        raise Http404
    if not invitation.awaits_signature:
        messages.info(request, _("Cette invitation a déjà été signée ou n’est plus en cours."))
        return _redirect(request, _team_url(request))
    template = "invitations/sign.html"
    if _htmx(request):
        target = _htmx(request).target
        template += "#resend-control" if target == "resend-control" else "#code-panel"
    context = _sign_context(request, invitation, now, form=form, error=error)
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@require_company_admin
def sign(request: CompanyRequest, company_id: int, invitation_id: int) -> HttpResponse:
    now = timezone.now()
    if request.method != "POST":
        return _sign_page(request, invitation_id, now)
    form = SignatureCodeForm(request.POST)
    if not form.is_valid():
        return _sign_page(request, invitation_id, now, form=form)
    try:
        invitation = invitation_sign(
            invitation_id=invitation_id,
            company=request.company,
            signer=_user(request),
            code=form.cleaned_data["code"],
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            now=now,
        )
    except Invitation.DoesNotExist:
        raise Http404 from None
    except InvitationRefused as refusal:
        messages.info(request, refusal.message)
        return _redirect(request, _team_url(request))
    except SignatureError as failure:
        return _sign_page(request, invitation_id, now, error=failure.message)
    messages.success(
        request,
        _("Autorisation signée. L’invitation est envoyée à %(email)s.")
        % {"email": invitation.email},
    )
    return _redirect(request, _team_url(request))


@require_POST
@require_company_admin
@require_recent_login(next_page="invitations:sign")
def send_code(request: CompanyRequest, company_id: int, invitation_id: int) -> HttpResponse:
    now = timezone.now()
    try:
        invitation_request_code(
            invitation_id=invitation_id,
            company=request.company,
            signer=_user(request),
            ip_address=client_ip(request),
            now=now,
        )
    except Invitation.DoesNotExist:
        raise Http404 from None
    except InvitationRefused as refusal:
        messages.info(request, refusal.message)
        return _redirect(request, _team_url(request))
    except SignatureError as failure:
        return _sign_page(request, invitation_id, now, error=failure.message)
    if _htmx(request):
        return _sign_page(request, invitation_id, now)
    return HttpResponseRedirect(_sign_url(request, invitation_id))


# --- Resend, revoke -----------------------------------------------------------------------


def _invitation_table(request: CompanyRequest) -> HttpResponse:
    if _htmx(request):
        context = {
            "company": request.company,
            "invitations": open_invitations(company=request.company),
        }
        return render(request, "teams/team.html#invitation-table", context)
    return HttpResponseRedirect(_team_url(request))


@require_POST
@require_company_admin
def resend(request: CompanyRequest, company_id: int, invitation_id: int) -> HttpResponse:
    try:
        invitation = invitation_resend(
            invitation_id=invitation_id,
            company=request.company,
            actor=_user(request),
            ip_address=client_ip(request),
            now=timezone.now(),
        )
    except Invitation.DoesNotExist:
        raise Http404 from None
    except InvitationRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("Un nouveau lien est envoyé à %(email)s ; l’ancien ne fonctionne plus.")
            % {"email": invitation.email},
        )
    return _invitation_table(request)


@require_POST
@require_company_admin
def revoke(request: CompanyRequest, company_id: int, invitation_id: int) -> HttpResponse:
    try:
        invitation = invitation_revoke(
            invitation_id=invitation_id,
            company=request.company,
            actor=_user(request),
            ip_address=client_ip(request),
            now=timezone.now(),
        )
    except Invitation.DoesNotExist:
        raise Http404 from None
    except InvitationRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("L’invitation de %(name)s est révoquée : son lien ne fonctionne plus.")
            % {"name": invitation.full_name},
        )
    return _invitation_table(request)


# --- Accept (public: the emailed link) ----------------------------------------------------

# Who looks at the link: a visitor who is not logged in (ANONYMOUS) is offered both ways in,
# whether or not an account exists for the invited email: the page never tells which.
ANONYMOUS, ACCEPT, WRONG_ACCOUNT = "anonymous", "accept", "wrong_account"
# the two forms of the anonymous page; each posts which one it is
LOGIN_FORM, NEW_ACCOUNT_FORM = "login", "new_account"


def mask_email(email: str) -> str:
    """Enough for the invitee to recognise their address, nothing for anyone else."""
    return f"{email[:1]}•••@…"


def _national(number: Any) -> str:
    """A French number as the person writes it (06 12 34 56 78); a foreign one with its prefix."""
    if not number:
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
    if chosen in (LOGIN_FORM, NEW_ACCOUNT_FORM):
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
    }
    # a suspended member is refused (403): the link itself is still good
    status = {"unknown": 404, "suspended": 403}.get(invalid.reason, 410)
    return _link_stays_on_site(
        render(request, "invitations/link_invalid.html", context, status=status)
    )


def _welcome(request: HttpRequest, membership: Membership) -> HttpResponse:
    messages.success(
        request,
        _("Bienvenue dans l’espace de %(company)s.") % {"company": membership.company.name},
    )
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
            membership = invitation_accept(
                token=token, user=user, ip_address=client_ip(request), now=now
            )
            login(request, user)
            return _welcome(request, membership)
    return _accept_page(request, invitation, ANONYMOUS, login_form=form)


def _accept_new_account(
    request: HttpRequest, invitation: Invitation, token: str, now: datetime.datetime
) -> HttpResponse:
    form = AcceptNewAccountForm(request.POST, email=invitation.email)
    if not form.is_valid():
        return _accept_page(request, invitation, ANONYMOUS, form=form)
    try:
        membership = invitation_accept_new_account(
            token=token,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            mobile=form.mobile_e164(),
            password=form.cleaned_data["password1"],
            ip_address=client_ip(request),
            now=now,
        )
    except AccountExists:
        # nothing was saved; the answer does not say an account exists
        form.add_error(None, _account_refused_message())
        return _accept_page(request, invitation, ANONYMOUS, form=form)
    login(request, membership.user, backend=MODEL_BACKEND)
    return _welcome(request, membership)


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
    try:
        invitation = invitation_for_token(token, now=now)
        mode = _accept_mode(request, invitation)
        if request.method != "POST":
            return _accept_page(request, invitation, mode)
        if mode == ANONYMOUS and _posted_form(request) == LOGIN_FORM:
            return _accept_existing_account(request, invitation, token, now)
        if mode == ANONYMOUS:
            return _accept_new_account(request, invitation, token, now)
        if mode == ACCEPT:
            membership = invitation_accept(
                token=token, user=_user(request), ip_address=client_ip(request), now=now
            )
            return _welcome(request, membership)
        return _accept_page(request, invitation, WRONG_ACCOUNT, status=403)
    except InvitationLinkInvalid as invalid:
        return _invalid_link(request, invalid)
    except WrongAccount:
        return _accept_page(request, invitation, WRONG_ACCOUNT, status=403)
