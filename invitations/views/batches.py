"""Invite several collaborators at once, and sign all their authorisations with one SMS code."""

import datetime
from collections import Counter

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import require_recent_login
from accounts.http import current_user
from audit.services import client_ip
from core.downloads import content_download
from core.http import redirect_to
from invitations.forms import InvitationFileForm, InvitationRightsForm, invitee_formset
from invitations.models import BATCH_MAX_INVITEES, Invitation, InvitationBatch
from invitations.selectors import batch_to_sign
from invitations.services import (
    BATCH_FILE_MAX_INVITEES,
    InvitationBatchFileRefused,
    InvitationBatchRefused,
    InvitationRefused,
    Invitee,
    batch_signature_payload,
    batch_signature_statement,
    invitation_batch_create,
    invitation_batch_from_file,
    invitation_batch_request_code,
    invitation_batch_sign,
    template_csv,
)
from invitations.views.common import back_to_team, team_url
from otp.forms import PasskeyForm, SignatureCodeForm, signature_form
from otp.pages import code_panel, code_panel_render
from otp.services import SignatureError
from permissions.catalogue import RightSpec, specs_for
from permissions.checks import CompanyRequest, require_company_admin
from permissions.end_dates import dated_specs
from permissions.selectors import grantable_rights

FIRST_ROWS = 5
PREFIX = "personnes"
# the signature page of a large batch shows its people this many at a time
SIGN_PAGE_SIZE = 50


def _rows(request: CompanyRequest) -> int:
    try:
        rows = int(request.GET.get("lignes", FIRST_ROWS))
    except ValueError:
        rows = FIRST_ROWS
    return min(max(rows, 1), BATCH_MAX_INVITEES)


def _batch_sign_url(request: CompanyRequest, batch_id: int) -> str:
    return reverse("invitations:batch_sign", args=[request.company.pk, batch_id])


@require_http_methods(["GET", "POST"])
@require_company_admin
def batch_create(request: CompanyRequest, company_id: int) -> HttpResponse:
    rows = _rows(request)
    formset = invitee_formset(rows)(request.POST or None, prefix=PREFIX)
    rights_form = InvitationRightsForm(request.POST or None)
    if request.method == "POST" and all([formset.is_valid(), rights_form.is_valid()]):
        filled = formset.filled()
        try:
            batch = invitation_batch_create(
                company=request.company,
                invited_by=current_user(request),
                invitees=[
                    Invitee(
                        email=form.cleaned_data["email"],
                        first_name=form.cleaned_data["first_name"],
                        last_name=form.cleaned_data["last_name"],
                        mobile=form.mobile_e164(),
                    )
                    for form in filled
                ],
                rights=rights_form.cleaned_data["rights"],
                ends_on=rights_form.end_dates(),
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except InvitationBatchRefused as refusal:
            for row, message in refusal.rows.items():
                filled[row].add_error("email", message)
            messages.error(request, refusal.message)
        except InvitationRefused as refusal:
            if refusal.field is not None and refusal.field in rights_form.fields:
                rights_form.add_error(refusal.field, refusal.message)
            else:
                messages.error(request, refusal.message)
        else:
            return redirect_to(request, _batch_sign_url(request, batch.pk))
    selected = set(rights_form["rights"].value() or [])
    context = {
        "company": request.company,
        "formset": formset,
        "form": rights_form,
        "more_rows": min(rows + FIRST_ROWS, BATCH_MAX_INVITEES) if rows < BATCH_MAX_INVITEES else 0,
        "options": [
            (option, option.code in selected) for option in grantable_rights(request.company)
        ],
    }
    return render(request, "invitations/batch_create.html", context)


@require_http_methods(["GET", "POST"])
@require_company_admin
def batch_upload(request: CompanyRequest, company_id: int) -> HttpResponse:
    """A CSV file of up to BATCH_FILE_MAX_INVITEES people: all invited, or every line's error."""
    form = InvitationFileForm(request.POST or None, request.FILES or None)
    refused_lines: dict[int, str] = {}
    if request.method == "POST" and form.is_valid():
        try:
            batch = invitation_batch_from_file(
                company=request.company,
                invited_by=current_user(request),
                content=form.cleaned_data["file"],
                rights=form.cleaned_data["rights"],
                ends_on=form.end_dates(),
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except InvitationBatchFileRefused as refusal:
            refused_lines = refusal.lines
            form.add_error("file", refusal.message)
        except InvitationRefused as refusal:
            field = refusal.field if refusal.field in form.fields else None
            form.add_error(field, refusal.message)
        else:
            return redirect_to(request, _batch_sign_url(request, batch.pk))
    selected = set(form["rights"].value() or [])
    context = {
        "company": request.company,
        "form": form,
        "refused_lines": refused_lines,
        "max_invitees": BATCH_FILE_MAX_INVITEES,
        "options": [
            (option, option.code in selected) for option in grantable_rights(request.company)
        ],
    }
    return render(request, "invitations/batch_upload.html", context)


@require_GET
@require_company_admin
def batch_file_template(request: CompanyRequest, company_id: int) -> HttpResponseBase:
    """The CSV file to fill in a spreadsheet, with its titles and an example."""
    return content_download(
        template_csv().encode("utf-8"),
        filename=_("modele-invitations.csv"),
        content_type="text/csv; charset=utf-8",
    )


def _batch_sign_context(
    request: CompanyRequest,
    batch: InvitationBatch,
    members: list[Invitation],
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | PasskeyForm | None,
    error: str,
) -> dict[str, object]:
    signer = current_user(request)
    page = Paginator(members, SIGN_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    return {
        "company": request.company,
        "batch": batch,
        "count": len(members),
        "page": page,
        "first_number": page.start_index(),
        "rights_summary": _rights_summary(members),
        "members": [
            (invitation, dated_specs(invitation.rights, invitation.ends_on)) for invitation in shown
        ],
        # each person's own text is in their authorisation; a page shows those of its people
        "statement": batch_signature_statement(shown, signer=signer),
        "panel": code_panel(
            challenge=batch.challenge,
            signer=signer,
            payload=batch_signature_payload(batch, members, signer=signer),
            now=now,
            sign_url=_batch_sign_url(request, batch.pk),
            send_url=reverse("invitations:batch_send_code", args=[request.company.pk, batch.pk]),
            submit_label=_("Signer et envoyer les invitations"),
            form=form,
            error=error,
        ),
    }


def _rights_summary(members: list[Invitation]) -> list[tuple[RightSpec, int]]:
    """How many people of the batch receive each right, in catalogue order."""
    counts = Counter(right for invitation in members for right in invitation.rights)
    return [(spec, counts[spec.right.value]) for spec in specs_for(counts)]


def _batch_sign_page(
    request: CompanyRequest,
    batch_id: int,
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | PasskeyForm | None = None,
    error: str = "",
) -> HttpResponse:
    """The batch's signature page as it stands now: a malformed or refused code shows why."""
    batch, members = batch_to_sign(company=request.company, batch_id=batch_id)
    if batch is None:
        raise Http404
    if batch.signed_at is not None or not members:
        messages.info(
            request, _("Ce groupe d’invitations a déjà été signé ou n’est plus en cours.")
        )
        return redirect_to(request, team_url(request))
    return code_panel_render(
        request,
        "invitations/batch_sign.html",
        _batch_sign_context(request, batch, members, now, form=form, error=error),
    )


@require_http_methods(["GET", "POST"])
@require_company_admin
def batch_sign(request: CompanyRequest, company_id: int, batch_id: int) -> HttpResponse:
    now = timezone.now()
    if request.method != "POST":
        return _batch_sign_page(request, batch_id, now)
    form = signature_form(request.POST)
    if not form.is_valid():
        return _batch_sign_page(request, batch_id, now, form=form)
    try:
        invitations = invitation_batch_sign(
            batch_id=batch_id,
            company=request.company,
            signer=current_user(request),
            code=form.cleaned_data.get("code", ""),
            assertion=form.cleaned_data.get("assertion"),
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            now=now,
        )
    except InvitationBatch.DoesNotExist:
        raise Http404 from None
    except InvitationRefused as refusal:
        return back_to_team(request, refusal.message)
    except SignatureError as failure:
        return _batch_sign_page(request, batch_id, now, error=failure.message)
    messages.success(
        request,
        ngettext(
            "Autorisation signée. L’invitation est envoyée à %(n)s personne.",
            "Autorisations signées. Les invitations sont envoyées à %(n)s personnes.",
            len(invitations),
        )
        % {"n": len(invitations)},
    )
    return redirect_to(request, team_url(request))


@require_POST
@require_company_admin
@require_recent_login(next_page="invitations:batch_sign")
def batch_send_code(request: CompanyRequest, company_id: int, batch_id: int) -> HttpResponse:
    """Send or resend the batch's code: the panel again for htmx, otherwise back to the page."""
    now = timezone.now()
    try:
        invitation_batch_request_code(
            batch_id=batch_id,
            company=request.company,
            signer=current_user(request),
            ip_address=client_ip(request),
            now=now,
        )
    except InvitationBatch.DoesNotExist:
        raise Http404 from None
    except InvitationRefused as refusal:
        return back_to_team(request, refusal.message)
    except SignatureError as failure:
        return _batch_sign_page(request, batch_id, now, error=failure.message)
    if request.htmx:
        return _batch_sign_page(request, batch_id, now)
    return HttpResponseRedirect(_batch_sign_url(request, batch_id))
