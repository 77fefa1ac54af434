"""The periodic access review's pages: the members page by page, the summary signed once, the PDF."""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import require_recent_login
from accounts.http import current_user
from audit.services import client_ip
from companies.models import Membership
from companies.services import CompanyRefused
from core.downloads import file_download, missing_file_is_404
from core.http import redirect_to
from otp.forms import PasskeyForm, SignatureCodeForm, signature_form
from otp.pages import code_panel, code_panel_render
from otp.services import SignatureError
from permissions.catalogue import Right
from permissions.checks import CompanyRequest, require_company_admin
from reviews.forms import DecisionForm
from reviews.models import AccessReview, ReviewStatus
from reviews.selectors import company_review, company_reviews, review_members_page
from reviews.services import (
    access_review_open,
    review_contents,
    review_decision_save,
    review_filename,
    review_pdf_file,
    review_request_code,
    review_sign,
    signature_payload,
    signature_statement,
)
from teams.display import counts_text
from teams.views.common import member_filters, page_number, varies_with_htmx


def _review_url(request: CompanyRequest) -> str:
    return reverse("reviews:review", args=[request.company.pk])


def _sign_url(request: CompanyRequest, review_id: int) -> str:
    return reverse("reviews:sign", args=[request.company.pk, review_id])


@require_GET
@require_company_admin
def review(request: CompanyRequest, company_id: int) -> HttpResponse:
    reviews = company_reviews(company=request.company)
    form, filters = member_filters(request)
    context: dict[str, object] = {
        "company": request.company,
        "reviews": reviews,
        "filters": form,
        "rights_choices": Right.choices,
    }
    if reviews.open is not None:
        found = review_members_page(
            company=request.company,
            review=reviews.open,
            filters=filters,
            number=page_number(request),
        )
        context |= {
            "members_page": found.page,
            "members": found.page.rows,
            "narrowed": filters.narrows,
            "counts": counts_text(
                members=found.members_total,
                results=found.page.count if filters.narrows else None,
            ),
            "back": "?" + request.GET.urlencode() if request.GET else "",
            "me": request.membership.pk,
        }
    template = "reviews/review.html"
    if request.htmx and not request.htmx.history_restore_request and reviews.open is not None:
        template += "#review-members"
    return varies_with_htmx(render(request, template, context))


@require_POST
@require_company_admin
def review_start(request: CompanyRequest, company_id: int) -> HttpResponse:
    """An administrator may review before the due date: the next one is due a period after."""
    access_review_open(
        company_id=request.company.pk, now=timezone.now(), actor=current_user(request)
    )
    return HttpResponseRedirect(_review_url(request))


@require_POST
@require_company_admin
def decision_save(
    request: CompanyRequest, company_id: int, review_id: int, membership_id: int
) -> HttpResponse:
    if company_review(company=request.company, review_id=review_id) is None:
        raise Http404
    form = DecisionForm(request.POST)
    back = _review_url(request) + form.back_query() + f"#member-{membership_id}"
    if not form.is_valid():
        messages.error(request, _("Choisissez une décision pour ce membre."))
        return redirect_to(request, back)
    try:
        review_decision_save(
            review_id=review_id,
            company=request.company,
            membership_id=membership_id,
            decision=form.cleaned_data["decision"],
            removed_rights=form.cleaned_data["rights"],
            actor=current_user(request),
            now=timezone.now(),
        )
    except (AccessReview.DoesNotExist, Membership.DoesNotExist):
        raise Http404 from None
    except CompanyRefused as refusal:
        messages.error(request, refusal.message)
        return redirect_to(request, back)
    messages.success(request, _("Décision enregistrée dans le brouillon de la revue."))
    return redirect_to(request, back)


def _sign_context(
    request: CompanyRequest,
    review: AccessReview,
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | PasskeyForm | None,
    error: str,
) -> dict[str, object]:
    signer = current_user(request)
    contents = review_contents(review=review, company=request.company)
    payload = signature_payload(contents, signer=signer)
    return {
        "company": request.company,
        "review": review,
        "contents": contents,
        "statement": signature_statement(contents, signer=signer, company=request.company),
        "panel": code_panel(
            challenge=review.challenge,
            signer=signer,
            payload=payload,
            now=now,
            sign_url=_sign_url(request, review.pk),
            send_url=reverse("reviews:send_code", args=[request.company.pk, review.pk]),
            submit_label=_("Signer la revue et appliquer les retraits"),
            form=form,
            error=error,
        ),
    }


def _sign_page(
    request: CompanyRequest,
    review_id: int,
    now: datetime.datetime,
    *,
    form: SignatureCodeForm | PasskeyForm | None = None,
    error: str = "",
) -> HttpResponse:
    review = company_review(company=request.company, review_id=review_id)
    if review is None:
        raise Http404
    if review.status != ReviewStatus.OPEN:
        messages.info(request, _("Cette revue des accès est déjà signée."))
        return redirect_to(request, _review_url(request))
    return code_panel_render(
        request, "reviews/sign.html", _sign_context(request, review, now, form=form, error=error)
    )


@require_http_methods(["GET", "POST"])
@require_company_admin
def review_sign_page(request: CompanyRequest, company_id: int, review_id: int) -> HttpResponse:
    """The summary of the review and its one signature."""
    now = timezone.now()
    if request.method != "POST":
        return _sign_page(request, review_id, now)
    form = signature_form(request.POST)
    if not form.is_valid():
        return _sign_page(request, review_id, now, form=form)
    try:
        signed = review_sign(
            review_id=review_id,
            company=request.company,
            signer=current_user(request),
            code=form.cleaned_data.get("code", ""),
            assertion=form.cleaned_data.get("assertion"),
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            now=now,
        )
    except AccessReview.DoesNotExist:
        raise Http404 from None
    except CompanyRefused as refusal:
        messages.error(request, refusal.message)
        return redirect_to(request, _review_url(request))
    except SignatureError as failure:
        return _sign_page(request, review_id, now, error=failure.message)
    messages.success(
        request,
        _("Revue des accès n° %(version)s signée. Les retraits s’appliquent dès maintenant.")
        % {"version": signed.version},
    )
    return redirect_to(request, _review_url(request))


@require_POST
@require_company_admin
@require_recent_login(next_page="reviews:sign")
def review_send_code(request: CompanyRequest, company_id: int, review_id: int) -> HttpResponse:
    """Send or resend the code: the panel again for htmx, otherwise back to the page."""
    now = timezone.now()
    try:
        review_request_code(
            review_id=review_id,
            company=request.company,
            signer=current_user(request),
            ip_address=client_ip(request),
            now=now,
        )
    except AccessReview.DoesNotExist:
        raise Http404 from None
    except CompanyRefused as refusal:
        messages.error(request, refusal.message)
        return redirect_to(request, _review_url(request))
    except SignatureError as failure:
        return _sign_page(request, review_id, now, error=failure.message)
    if request.htmx:
        return _sign_page(request, review_id, now)
    return HttpResponseRedirect(_sign_url(request, review_id))


@require_GET
@require_company_admin
@missing_file_is_404
def review_download(request: CompanyRequest, company_id: int, review_id: int) -> HttpResponseBase:
    review = company_review(company=request.company, review_id=review_id)
    if review is None or review.status != ReviewStatus.SIGNED:
        raise Http404
    return file_download(
        review_pdf_file(review=review),
        filename=review_filename(review),
        content_type="application/pdf",
    )
