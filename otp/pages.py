"""What every signature page shows around its code: shared by the invitation and rights pages.

A view passes the challenge its content is bound to and its URLs; `otp/code_panel.html` renders the
panel (send the code, type it, resend it).
"""

import datetime
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from otp.forms import SignatureCodeForm
from otp.models import SignatureChallenge
from otp.services import (
    SignatureError,
    live_challenge,
    mask_phone,
    resend_available_in,
    signer_refusal,
)

Signed = TypeVar("Signed")


def code_panel_context(
    *,
    challenge: SignatureChallenge | None,
    signer: Any,
    payload: Mapping[str, Any],
    now: datetime.datetime,
    sign_url: str,
    send_url: str,
    submit_label: str,
    form: SignatureCodeForm | None = None,
    error: str = "",
) -> dict[str, Any]:
    challenge = live_challenge(challenge, signer=signer, payload=payload, now=now)
    if challenge is not None and not challenge.send_count:
        challenge = None  # its SMS never left: the page offers to send one
    refusal = signer_refusal(signer=signer)
    return {
        "masked_phone": mask_phone(signer.mobile) if signer.mobile else "",
        "cannot_sign_message": refusal.message if refusal is not None else "",
        "challenge": challenge,
        "resend_in": resend_available_in(challenge, now) if challenge else 0,
        "sends_left": settings.OTP_MAX_SENDS - challenge.send_count if challenge else 0,
        "lifetime_minutes": settings.OTP_CODE_LIFETIME_SECONDS // 60,
        "form": form or SignatureCodeForm(),
        "error": error,
        "sign_url": sign_url,
        "send_url": send_url,
        "submit_label": submit_label,
    }


def code_panel_template(page: str, *, htmx_target: str | None) -> str:
    """The whole page; for htmx, the part of the panel it asked for."""
    if htmx_target is None:
        return page
    if htmx_target == "resend-control":
        return "otp/code_panel.html#resend-control"
    return "otp/code_panel.html#code-panel"


def code_panel_page(request: HttpRequest, page: str, context: dict[str, Any]) -> HttpResponse:
    """Render a signature page, or for htmx the part of its code panel that was asked for."""
    htmx: HtmxDetails = request.htmx  # type: ignore[attr-defined]  # set by HtmxMiddleware
    template = code_panel_template(page, htmx_target=(htmx.target or "") if htmx else None)
    return render(request, template, context)


def code_checked(
    request: HttpRequest,
    *,
    page: Callable[..., HttpResponse],
    sign: Callable[[str], Signed],
    signed: Callable[[Signed], HttpResponse],
) -> HttpResponse:
    """The POST of a signature page: a malformed or refused code shows the page again with why
    (`page(form=...)` or `page(error=...)`); what a signature did is the caller's to say."""
    form = SignatureCodeForm(request.POST)
    if not form.is_valid():
        return page(form=form)
    try:
        result = sign(form.cleaned_data["code"])
    except SignatureError as failure:
        return page(error=failure.message)
    return signed(result)


def code_sent(
    request: HttpRequest,
    *,
    page: Callable[..., HttpResponse],
    send: Callable[[], object],
    sign_url: str,
) -> HttpResponse:
    """The POST that asks for a code: the panel again for htmx, otherwise back to the page."""
    try:
        send()
    except SignatureError as failure:
        return page(error=failure.message)
    htmx: HtmxDetails = request.htmx  # type: ignore[attr-defined]  # set by HtmxMiddleware
    if htmx:
        return page()
    return HttpResponseRedirect(sign_url)
