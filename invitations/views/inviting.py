"""Invite a collaborator; resend or revoke an invitation from Mes équipes."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import current_user
from audit.services import client_ip
from core.http import redirect_to
from invitations.display import invitation_rows
from invitations.forms import InvitationForm, InvitationRightsForm
from invitations.models import Invitation
from invitations.selectors import company_invitation, open_invitations_first_page
from invitations.services import (
    InvitationRefused,
    invitation_create,
    invitation_edit_rights,
    invitation_resend,
    invitation_revoke,
)
from invitations.views.common import sign_url, team_url
from permissions.checks import CompanyRequest, require_company_admin
from permissions.selectors import grantable_rights


@require_http_methods(["GET", "POST"])
@require_company_admin
def create(request: CompanyRequest, company_id: int) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                company=request.company,
                invited_by=current_user(request),
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                mobile=form.mobile_e164(),
                rights=form.cleaned_data["rights"],
                ends_on=form.end_dates(),
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except InvitationRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            return redirect_to(request, sign_url(request, invitation.pk))
    selected = set(form["rights"].value() or [])
    context = {
        "company": request.company,
        "form": form,
        "options": [
            (option, option.code in selected) for option in grantable_rights(request.company)
        ],
    }
    return render(request, "invitations/create.html", context)


def _invitation_table(request: CompanyRequest) -> HttpResponse:
    if request.htmx:
        page = open_invitations_first_page(company=request.company, now=timezone.now())
        context = {
            "company": request.company,
            "invitations": invitation_rows(company_id=request.company.pk, invitations=page.rows),
            "invitations_page": page,
        }
        return render(request, "teams/team.html#invitation-table", context)
    return HttpResponseRedirect(team_url(request))


@require_POST
@require_company_admin
def resend(request: CompanyRequest, company_id: int, invitation_id: int) -> HttpResponse:
    """A new link from Mes équipes: the service decides, the page tells, the table refreshes."""
    try:
        invitation = invitation_resend(
            invitation_id=invitation_id,
            company=request.company,
            actor=current_user(request),
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
    """Revoke from Mes équipes: the service decides, the page tells, the table refreshes."""
    try:
        invitation = invitation_revoke(
            invitation_id=invitation_id,
            company=request.company,
            actor=current_user(request),
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


@require_http_methods(["GET", "POST"])
@require_company_admin
def edit_rights(request: CompanyRequest, company_id: int, invitation_id: int) -> HttpResponse:
    """New rights for an invitation not yet accepted: then a new signature, and a new link."""
    invitation = company_invitation(company=request.company, invitation_id=invitation_id)
    if invitation is None:
        raise Http404
    if not invitation.rights_can_be_edited:
        messages.info(request, _("Cette invitation n’est plus en cours."))
        return redirect_to(request, team_url(request))
    form = InvitationRightsForm(
        request.POST or None,
        initial={
            "rights": invitation.rights,
            **InvitationRightsForm.end_dates_initial(invitation.ends_on),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation_edit_rights(
                invitation_id=invitation.pk,
                company=request.company,
                actor=current_user(request),
                rights=form.cleaned_data["rights"],
                ends_on=form.end_dates(),
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except InvitationRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(
                request,
                _(
                    "Droits modifiés. Signez la nouvelle autorisation : l’invitation sera ensuite "
                    "envoyée avec un nouveau lien, l’ancien ne fonctionne plus."
                ),
            )
            return redirect_to(request, sign_url(request, invitation.pk))
    selected = set(form["rights"].value() or [])
    context = {
        "company": request.company,
        "invitation": invitation,
        "form": form,
        "options": [
            (option, option.code in selected) for option in grantable_rights(request.company)
        ],
    }
    return render(request, "invitations/edit_rights.html", context)
