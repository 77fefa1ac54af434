from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import current_user
from audit.services import client_ip
from core.csv import csv_download
from permissions.catalogue import Right
from permissions.checks import CompanyRequest, require_right
from treasury.forms import LowBalanceAlertForm
from treasury.selectors import active_subscription, low_balance_alert, treasury_overview
from treasury.services import (
    AlertRefused,
    SubscriptionInactive,
    forecast_export,
    low_balance_alert_set,
)


def _subscribers_only(request: CompanyRequest) -> HttpResponse:
    return render(
        request,
        "treasury/subscribers_only.html",
        {"company": request.company, "reason": SubscriptionInactive().message},
        status=403,
    )


@require_GET
@require_right(Right.TREASURY)
def index(request: CompanyRequest, company_id: int) -> HttpResponse:
    overview = treasury_overview(company=request.company, today=timezone.localdate())
    return render(
        request, "treasury/index.html", {"company": request.company, "overview": overview}
    )


@require_GET
@require_right(Right.TREASURY)
def export(request: CompanyRequest, company_id: int) -> HttpResponseBase:
    try:
        result = forecast_export(
            company=request.company,
            actor=current_user(request),
            today=timezone.localdate(),
            ip_address=client_ip(request),
        )
    except SubscriptionInactive:
        return _subscribers_only(request)
    # the company's forecast, streamed as it is formatted: kept by no shared cache nor the
    # browser's (csv_download marks it private)
    return csv_download(result.rows, filename=result.filename)


@require_http_methods(["GET", "POST"])
@require_right(Right.TREASURY)
def alert(request: CompanyRequest, company_id: int) -> HttpResponse:
    today = timezone.localdate()
    if active_subscription(company=request.company, today=today) is None:
        return _subscribers_only(request)
    current = low_balance_alert(company=request.company)
    initial = {"threshold": current.threshold, "enabled": current.enabled} if current else {}
    form = LowBalanceAlertForm(request.POST or None, initial=initial or {"enabled": True})
    if request.method == "POST" and form.is_valid():
        try:
            saved = low_balance_alert_set(
                company=request.company,
                actor=current_user(request),
                threshold=form.cleaned_data["threshold"],
                enabled=form.cleaned_data["enabled"],
                today=today,
                ip_address=client_ip(request),
            )
        except SubscriptionInactive:
            return _subscribers_only(request)
        except AlertRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            if saved.enabled:
                messages.success(request, _("L’alerte de solde bas est enregistrée et activée."))
            else:
                messages.success(request, _("L’alerte de solde bas est désactivée."))
            return HttpResponseRedirect(reverse("treasury:index", args=[request.company.pk]))
    return render(
        request,
        "treasury/alert.html",
        {"company": request.company, "form": form, "alert": current},
    )
