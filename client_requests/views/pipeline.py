"""Suivi des demandes: every request the member may see, one request's page, its files."""

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.services import client_ip
from client_requests.forms.pipeline import DraftForm, DraftReviewForm, RequestFilterForm
from client_requests.kinds import COMPANY_REQUEST_KINDS, DraftReview
from client_requests.models import ClientRequest
from client_requests.responses import attachment_response
from client_requests.selectors import (
    can_see,
    company_request,
    filtered_requests,
    may_work,
    request_attachment,
)
from client_requests.services import (
    RequestRefused,
    attachment_open,
    draft_review,
    request_complete,
)
from core.downloads import missing_file_is_404
from permissions.checks import CompanyRequest, missing_right_response, require_membership

PAGE_SIZE = 20


@require_GET
@require_membership
def index(request: CompanyRequest, company_id: int) -> HttpResponse:
    filters = RequestFilterForm(request.GET or None)
    status = kind = ""
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        kind = filters.cleaned_data["kind"]
    requests = filtered_requests(membership=request.membership, status=status, kind=kind)
    page = Paginator(requests.table_columns(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "company": request.company,
        "filters": filters,
        "page": page,
        "filtered": bool(status or kind),
    }
    return render(request, "client_requests/index.html", context)


def _has_subject(client_request: ClientRequest) -> bool:
    return client_request.kind in COMPANY_REQUEST_KINDS


def _review_prefix(attachment_id: int) -> str:
    return f"relecture-{attachment_id}"


def _draft_form(
    client_request: ClientRequest,
    data: QueryDict | None = None,
    files: MultiValueDict[str, UploadedFile] | None = None,
) -> DraftForm:
    return DraftForm(
        data,
        files,
        kind=client_request.kind,
        has_subject=_has_subject(client_request),
        initial={
            "subject": client_request.details.get("subject", ""),
            "message": client_request.message,
        },
    )


def _detail_page(
    request: CompanyRequest,
    client_request: ClientRequest,
    *,
    draft_form: DraftForm | None = None,
    review_form: DraftReviewForm | None = None,
    review_attachment_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    working = may_work(membership=request.membership, client_request=client_request)
    reviewable = working and not client_request.is_closed
    attachments = [
        (
            attachment,
            (
                review_form
                if review_form is not None and attachment.pk == review_attachment_id
                else DraftReviewForm(prefix=_review_prefix(attachment.pk))
            )
            if reviewable and attachment.review == DraftReview.PENDING
            else None,
        )
        for attachment in client_request.attachments.all()
    ]
    context = {
        "company": request.company,
        "client_request": client_request,
        "attachments": attachments,
        "history": list(client_request.status_changes.all()),
        "may_work": working,
        "draft_form": (
            draft_form or _draft_form(client_request)
            if working and client_request.is_draft
            else None
        ),
        "right": client_request.right,
    }
    return render(request, "client_requests/detail.html", context, status=status)


def _visible_request(request: CompanyRequest, request_id: int) -> ClientRequest | HttpResponse:
    client_request = company_request(company=request.company, request_id=request_id)
    if not can_see(membership=request.membership, client_request=client_request):
        return missing_right_response(request, client_request.right)
    return client_request


def _detail_url(client_request: ClientRequest) -> str:
    return reverse(
        "client_requests:detail",
        kwargs={"company_id": client_request.company_id, "request_id": client_request.pk},
    )


@require_GET
@require_membership
def detail(request: CompanyRequest, company_id: int, request_id: int) -> HttpResponse:
    found = _visible_request(request, request_id)
    if isinstance(found, HttpResponse):
        return found
    return _detail_page(request, found)


@require_POST
@require_membership
def complete(request: CompanyRequest, company_id: int, request_id: int) -> HttpResponse:
    found = _visible_request(request, request_id)
    if isinstance(found, HttpResponse):
        return found
    if not may_work(membership=request.membership, client_request=found):
        return missing_right_response(request, found.right)
    form = _draft_form(found, request.POST, request.FILES)
    if form.is_valid():
        details = None
        if "subject" in form.cleaned_data:
            details = {**found.details, "subject": form.cleaned_data["subject"]}
        try:
            request_complete(
                membership=request.membership,
                client_request=found,
                details=details,
                message=form.cleaned_data["message"],
                files=form.files_to_store(),
                submit=form.submitting,
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except RequestRefused as refusal:
            field = refusal.field if refusal.field in form.fields else None
            form.add_error(field, refusal.message)
        else:
            if form.submitting:
                messages.success(request, _("Votre demande est soumise à la banque."))
            else:
                messages.success(request, _("Le brouillon est enregistré."))
            return HttpResponseRedirect(_detail_url(found))
    found = company_request(company=request.company, request_id=request_id)
    return _detail_page(request, found, draft_form=form, status=400)


@require_POST
@require_membership
def review(
    request: CompanyRequest, company_id: int, request_id: int, attachment_id: int
) -> HttpResponse:
    found = _visible_request(request, request_id)
    if isinstance(found, HttpResponse):
        return found
    if not may_work(membership=request.membership, client_request=found):
        return missing_right_response(request, found.right)
    attachment = request_attachment(client_request=found, attachment_id=attachment_id)
    form = DraftReviewForm(request.POST, prefix=_review_prefix(attachment.pk))
    if form.is_valid():
        try:
            draft_review(
                membership=request.membership,
                attachment=attachment,
                approve=form.approves,
                comment=form.cleaned_data["comment"],
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except RequestRefused as refusal:
            form.add_error("comment" if refusal.field == "comment" else None, refusal.message)
        else:
            if form.approves:
                messages.success(request, _("Le projet de documentation est approuvé."))
            else:
                messages.success(
                    request, _("Le projet est renvoyé à la banque avec votre commentaire.")
                )
            return HttpResponseRedirect(_detail_url(found))
    return _detail_page(
        request, found, review_form=form, review_attachment_id=attachment.pk, status=400
    )


@require_GET
@require_membership
@missing_file_is_404
def attachment(
    request: CompanyRequest, company_id: int, request_id: int, attachment_id: int
) -> HttpResponseBase:
    found = _visible_request(request, request_id)
    if isinstance(found, HttpResponse):
        return found
    stored = request_attachment(client_request=found, attachment_id=attachment_id)
    file = attachment_open(
        attachment=stored, by=request.membership.user, ip_address=client_ip(request)
    )
    return attachment_response(stored, file)
