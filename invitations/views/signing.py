"""Sign the access authorisation with the SMS code."""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import require_recent_login
from accounts.http import current_user
from audit.services import client_ip
from core.http import redirect_to
from invitations.models import Invitation
from invitations.selectors import company_invitation
from invitations.services import (
    InvitationRefused,
    invitation_request_code,
    invitation_sign,
    signature_payload,
    signature_statement,
)
from invitations.views.common import back_to_team, sign_url, team_url
from otp.forms import PasskeyForm, SignatureCodeForm, signature_form
from otp.pages import code_panel, code_panel_render
from otp.services import SignatureError
from permissions.checks import CompanyRequest, require_company_admin
from permissions.end_dates import dated_specs


def _sign_context(
    request: CompanyRequest,
    invitation: Invitation,
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | PasskeyForm | None,
    error: str,
) -> dict[str, object]:
    signer = current_user(request)
    return {
        "company": request.company,
        "invitation": invitation,
        "rights": dated_specs(invitation.rights, invitation.ends_on),
        "statement": signature_statement(invitation, signer=signer),
        "panel": code_panel(
            challenge=invitation.challenge,
            signer=signer,
            payload=signature_payload(invitation, signer=signer),
            now=now,
            sign_url=sign_url(request, invitation.pk),
            send_url=reverse("invitations:send_code", args=[request.company.pk, invitation.pk]),
            submit_label=_("Signer et envoyer l’invitation"),
            form=form,
            error=error,
        ),
    }


def _sign_page(
    request: CompanyRequest,
    invitation_id: int,
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | PasskeyForm | None = None,
    error: str = "",
) -> HttpResponse:
    """The signature page as it stands now: a malformed or refused code shows why."""
    invitation = company_invitation(company=request.company, invitation_id=invitation_id)
    if invitation is None:
        raise Http404
    if not invitation.awaits_signature:
        messages.info(request, _("Cette invitation a déjà été signée ou n’est plus en cours."))
        return redirect_to(request, team_url(request))
    if invitation.batch_id is not None:
        # its batch's code signs it with the others
        return redirect_to(
            request,
            reverse("invitations:batch_sign", args=[request.company.pk, invitation.batch_id]),
        )
    return code_panel_render(
        request,
        "invitations/sign.html",
        _sign_context(request, invitation, now, form=form, error=error),
    )


@require_http_methods(["GET", "POST"])
@require_company_admin
def sign(request: CompanyRequest, company_id: int, invitation_id: int) -> HttpResponse:
    now = timezone.now()
    if request.method != "POST":
        return _sign_page(request, invitation_id, now)
    form = signature_form(request.POST)
    if not form.is_valid():
        return _sign_page(request, invitation_id, now, form=form)
    try:
        invitation = invitation_sign(
            invitation_id=invitation_id,
            company=request.company,
            signer=current_user(request),
            code=form.cleaned_data.get("code", ""),
            assertion=form.cleaned_data.get("assertion"),
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            now=now,
        )
    except Invitation.DoesNotExist:
        raise Http404 from None
    except InvitationRefused as refusal:
        return back_to_team(request, refusal.message)
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
    """Send or resend the code: the panel again for htmx, otherwise back to the page."""
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
        return back_to_team(request, refusal.message)
    except SignatureError as failure:
        return _sign_page(request, invitation_id, now, error=failure.message)
    if request.htmx:
        return _sign_page(request, invitation_id, now)
    return HttpResponseRedirect(sign_url(request, invitation_id))
