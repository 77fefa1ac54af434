"""Change a collaborator's rights: see the difference, remove at once, sign an addition."""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import require_recent_login
from accounts.http import current_user
from audit.services import client_ip
from companies.models import Membership
from core.http import redirect_to
from otp.forms import PasskeyForm, SignatureCodeForm, signature_form
from otp.pages import code_panel, code_panel_render
from otp.services import SignatureError
from permissions.catalogue import specs_for
from permissions.checks import CompanyRequest, require_company_admin
from permissions.end_dates import dated_specs
from teams.forms import MemberRightsForm
from teams.models import RightsChange
from teams.selectors import rights_change_to_sign, team_member
from teams.services import (
    TeamRefused,
    rights_change_request,
    rights_change_request_code,
    rights_change_sign,
    rights_diff,
    rights_remove,
    signature_payload,
    signature_statement,
)
from teams.views.common import back_from, back_url, member_url
from teams.views.team import member_page


def _sign_url(request: CompanyRequest, membership_id: int, change_id: int) -> str:
    return reverse("teams:rights_sign", args=[request.company.pk, membership_id, change_id])


def _refused(request: CompanyRequest, membership_id: int, refusal: TeamRefused) -> HttpResponse:
    messages.error(request, refusal.message)
    return redirect_to(request, member_url(request, membership_id))


@require_POST
@require_company_admin
def rights_review(request: CompanyRequest, company_id: int, membership_id: int) -> HttpResponse:
    """The difference between the member's rights and the new choice, before anything happens."""
    member = team_member(company=request.company, membership_id=membership_id)
    if member is None:
        raise Http404
    form = MemberRightsForm(request.POST)
    if not form.is_valid():
        return member_page(request, membership_id, form=form, status=400)
    try:
        diff = rights_diff(
            membership=member, rights=form.cleaned_data["rights"], ends_on=form.end_dates()
        )
    except TeamRefused as refusal:
        if refusal.field is None:
            return _refused(request, membership_id, refusal)
        form.add_error(refusal.field, refusal.message)
        return member_page(request, membership_id, form=form, status=400)
    if diff.changes_nothing:
        messages.info(request, _("Vous n’avez modifié aucun droit."))
        return HttpResponseRedirect(back_url(request, membership_id))
    context = {
        "company": request.company,
        "member": member,
        "back": back_from(request),
        "back_url": back_url(request, membership_id),
        "diff": diff,
        "added": dated_specs(diff.added, diff.ends_on),
        "removed": specs_for(diff.removed),
        "kept": dated_specs(diff.kept, diff.ends_on),
        "redated": dated_specs(diff.redated, diff.ends_on),
        "needs_signature": diff.needs_signature,
    }
    return render(request, "teams/rights_review.html", context)


@require_POST
@require_company_admin
def rights_remove_confirmed(
    request: CompanyRequest, company_id: int, membership_id: int
) -> HttpResponse:
    form = MemberRightsForm(request.POST)
    if not form.is_valid():
        return HttpResponseRedirect(member_url(request, membership_id))
    try:
        change = rights_remove(
            membership_id=membership_id,
            company=request.company,
            actor=current_user(request),
            rights=form.cleaned_data["rights"],
            ip_address=client_ip(request),
            now=timezone.now(),
        )
    except Membership.DoesNotExist:
        raise Http404 from None
    except TeamRefused as refusal:
        return _refused(request, membership_id, refusal)
    messages.success(
        request,
        _("Droits retirés : %(rights)s. Le changement s’applique dès maintenant.")
        % {"rights": ", ".join(str(spec.short_label) for spec in specs_for(change.removed))},
    )
    return HttpResponseRedirect(back_url(request, membership_id))


@require_POST
@require_company_admin
def rights_request(request: CompanyRequest, company_id: int, membership_id: int) -> HttpResponse:
    """An addition waits for the administrator's signature: on to the signature page."""
    form = MemberRightsForm(request.POST)
    if not form.is_valid():
        return HttpResponseRedirect(member_url(request, membership_id))
    try:
        change = rights_change_request(
            membership_id=membership_id,
            company=request.company,
            requested_by=current_user(request),
            rights=form.cleaned_data["rights"],
            ends_on=form.end_dates(),
            now=timezone.now(),
        )
    except Membership.DoesNotExist:
        raise Http404 from None
    except TeamRefused as refusal:
        return _refused(request, membership_id, refusal)
    return HttpResponseRedirect(_sign_url(request, change.membership_id, change.pk))


def _sign_context(
    request: CompanyRequest,
    change: RightsChange,
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | PasskeyForm | None,
    error: str,
) -> dict[str, object]:
    signer = current_user(request)
    return {
        "company": request.company,
        "change": change,
        "member": change.membership,
        "rights": dated_specs(change.rights, change.ends_on),
        "added": dated_specs(change.added, change.ends_on),
        "removed": specs_for(change.removed),
        "redated": dated_specs(change.extended, change.ends_on),
        "statement": signature_statement(change, signer=signer),
        "panel": code_panel(
            challenge=change.challenge,
            signer=signer,
            payload=signature_payload(change, signer=signer),
            now=now,
            sign_url=_sign_url(request, change.membership_id, change.pk),
            send_url=reverse(
                "teams:rights_send_code",
                args=[request.company.pk, change.membership_id, change.pk],
            ),
            submit_label=_("Signer et appliquer les nouveaux droits"),
            form=form,
            error=error,
        ),
    }


def _sign_page(
    request: CompanyRequest,
    membership_id: int,
    change_id: int,
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | PasskeyForm | None = None,
    error: str = "",
) -> HttpResponse:
    """The change's signature page as it stands now: a malformed or refused code shows why."""
    change = rights_change_to_sign(
        company=request.company, membership_id=membership_id, change_id=change_id
    )
    if change is None:
        raise Http404
    if not change.awaits_signature:
        messages.info(
            request, _("Cette modification des droits a déjà été signée ou n’est plus en cours.")
        )
        return redirect_to(request, member_url(request, membership_id))
    return code_panel_render(
        request,
        "teams/rights_sign.html",
        _sign_context(request, change, now, form=form, error=error),
    )


@require_http_methods(["GET", "POST"])
@require_company_admin
def rights_sign(
    request: CompanyRequest, company_id: int, membership_id: int, change_id: int
) -> HttpResponse:
    now = timezone.now()
    if request.method != "POST":
        return _sign_page(request, membership_id, change_id, now)
    form = signature_form(request.POST)
    if not form.is_valid():
        return _sign_page(request, membership_id, change_id, now, form=form)
    try:
        change = rights_change_sign(
            change_id=change_id,
            membership_id=membership_id,
            company=request.company,
            signer=current_user(request),
            code=form.cleaned_data.get("code", ""),
            assertion=form.cleaned_data.get("assertion"),
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            now=now,
        )
    except (Membership.DoesNotExist, RightsChange.DoesNotExist):
        raise Http404 from None
    except TeamRefused as refusal:
        return _refused(request, membership_id, refusal)
    except SignatureError as failure:
        return _sign_page(request, membership_id, change_id, now, error=failure.message)
    member = change.membership.user
    messages.success(
        request,
        _("Autorisation signée. Les nouveaux droits de %(name)s s’appliquent dès maintenant.")
        % {"name": member.get_full_name() or member.email},
    )
    return redirect_to(request, member_url(request, membership_id))


@require_POST
@require_company_admin
@require_recent_login(next_page="teams:rights_sign")
def rights_send_code(
    request: CompanyRequest, company_id: int, membership_id: int, change_id: int
) -> HttpResponse:
    """Send or resend the code: the panel again for htmx, otherwise back to the page."""
    now = timezone.now()
    try:
        rights_change_request_code(
            change_id=change_id,
            membership_id=membership_id,
            company=request.company,
            signer=current_user(request),
            ip_address=client_ip(request),
            now=now,
        )
    except (Membership.DoesNotExist, RightsChange.DoesNotExist):
        raise Http404 from None
    except TeamRefused as refusal:
        return _refused(request, membership_id, refusal)
    except SignatureError as failure:
        return _sign_page(request, membership_id, change_id, now, error=failure.message)
    if request.htmx:
        return _sign_page(request, membership_id, change_id, now)
    return HttpResponseRedirect(_sign_url(request, membership_id, change_id))
