"""Sign the access authorisation with the SMS code."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import client_ip
from invitations.models import Invitation
from invitations.selectors import company_invitation
from invitations.services import (
    InvitationRefused,
    invitation_request_code,
    invitation_sign,
    signature_payload,
    signature_statement,
)
from invitations.views.common import current_user, htmx_details, redirect_to, sign_url, team_url
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
from portal.decorators import require_recent_login


def _sign_context(
    request: CompanyRequest,
    invitation: Invitation,
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    signer = current_user(request)
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
        return redirect_to(request, team_url(request))
    template = "invitations/sign.html"
    if htmx_details(request):
        target = htmx_details(request).target
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
            signer=current_user(request),
            code=form.cleaned_data["code"],
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            now=now,
        )
    except Invitation.DoesNotExist:
        raise Http404 from None
    except InvitationRefused as refusal:
        messages.info(request, refusal.message)
        return redirect_to(request, team_url(request))
    except SignatureError as failure:
        return _sign_page(request, invitation_id, now, error=failure.message)
    messages.success(
        request,
        _("Autorisation signée. L’invitation est envoyée à %(email)s.")
        % {"email": invitation.email},
    )
    return redirect_to(request, team_url(request))


@require_POST
@require_company_admin
@require_recent_login(next_page="invitations:sign")
def send_code(request: CompanyRequest, company_id: int, invitation_id: int) -> HttpResponse:
    now = timezone.now()
    try:
        invitation_request_code(
            invitation_id=invitation_id,
            company=request.company,
            signer=current_user(request),
            ip_address=client_ip(request),
            now=now,
        )
    except Invitation.DoesNotExist:
        raise Http404 from None
    except InvitationRefused as refusal:
        messages.info(request, refusal.message)
        return redirect_to(request, team_url(request))
    except SignatureError as failure:
        return _sign_page(request, invitation_id, now, error=failure.message)
    if htmx_details(request):
        return _sign_page(request, invitation_id, now)
    return HttpResponseRedirect(sign_url(request, invitation_id))
