"""The code panel of every signature page (an invitation, a batch, a rights change).

A signature view makes its one service call itself, then gives this module data: the challenge
its content is bound to, the refusal's message or the code form, its URLs. `code_panel` turns
them into what `otp/code_panel.html` shows (send the code, type it, resend it), and
`code_panel_render` renders the page, or for htmx the part of the panel that was asked for.
For a signer with a passkey, `passkey_panel` adds the passkey option (`otp/passkey_panel.html`):
it reuses the live passkey challenge of this content, or makes one, so that the page can hand the
browser a challenge bound to exactly what it shows.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from core.http import HtmxHttpRequest
from otp.forms import PasskeyForm, SignatureCodeForm
from otp.models import Passkey, SignatureChallenge
from otp.passkeys import passkey_challenge_start, request_options
from otp.services import live_challenge, mask_phone, resend_available_in, signer_refusal

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User

# the htmx targets of otp/code_panel.html, each a partial of it
CODE_PANEL = "code-panel"
RESEND_CONTROL = "resend-control"


@dataclass(frozen=True)
class PasskeyPanel:
    """Signing with a passkey instead of the code: what passkeys.js needs (the options of
    navigator.credentials.get(), whose challenge is bound to the content) and where to post."""

    sign_url: str
    submit_label: str
    challenge_id: str
    options: str
    names: list[str]


@dataclass(frozen=True)
class CodePanel:
    """What the panel shows. `challenge` is set only while its code, once sent, may still sign
    this content; otherwise the panel offers to send one."""

    sign_url: str
    send_url: str
    submit_label: str
    form: SignatureCodeForm
    error: str
    challenge: SignatureChallenge | None
    masked_phone: str
    cannot_sign_message: str
    resend_in: int
    sends_left: int
    lifetime_minutes: int
    passkey: PasskeyPanel | None = None


def passkey_panel(
    *,
    signer: User,
    payload: Mapping[str, Any],
    now: datetime.datetime,
    sign_url: str,
    submit_label: str,
) -> PasskeyPanel | None:
    """The passkey option of a signature page, or None: the signer has no passkey, or signing is
    locked for them. The challenge is made (or the live one reused) for exactly this content."""
    passkeys = list(Passkey.objects.filter(user=signer).order_by("created_at", "pk"))
    if not passkeys or signer.signing_locked_at is not None:
        return None
    challenge = passkey_challenge_start(
        user=signer, purpose=str(payload.get("purpose", "signature")), payload=payload, now=now
    )
    return PasskeyPanel(
        sign_url=sign_url,
        submit_label=submit_label,
        challenge_id=str(challenge.pk),
        options=request_options(challenge=challenge, passkeys=passkeys),
        names=[p.name for p in passkeys],
    )


def code_panel(
    *,
    challenge: SignatureChallenge | None,
    signer: User,
    payload: Mapping[str, Any],
    now: datetime.datetime,
    sign_url: str,
    send_url: str,
    submit_label: str,
    form: SignatureCodeForm | PasskeyForm | None = None,
    error: str = "",
) -> CodePanel:
    if isinstance(form, PasskeyForm):
        # its fields are hidden: the page says what happened and offers the code form afresh
        error = error or form.failure()
        form = None
    challenge = live_challenge(challenge, signer=signer, payload=payload, now=now)
    if challenge is not None and not challenge.send_count:
        challenge = None  # its SMS never left: the page offers to send one
    refusal = signer_refusal(signer=signer)
    return CodePanel(
        sign_url=sign_url,
        send_url=send_url,
        submit_label=submit_label,
        form=form or SignatureCodeForm(),
        error=error,
        challenge=challenge,
        masked_phone=mask_phone(signer.mobile) if signer.mobile else "",
        cannot_sign_message=refusal.message if refusal is not None else "",
        resend_in=resend_available_in(challenge, now) if challenge else 0,
        sends_left=settings.OTP_MAX_SENDS - challenge.send_count if challenge else 0,
        lifetime_minutes=settings.OTP_CODE_LIFETIME_SECONDS // 60,
        passkey=passkey_panel(
            signer=signer, payload=payload, now=now, sign_url=sign_url, submit_label=submit_label
        ),
    )


def code_panel_template(page: str, *, htmx_target: str | None) -> str:
    """The whole page; for htmx (`htmx_target` not None), the part of the panel it asked for."""
    if htmx_target is None:
        return page
    part = RESEND_CONTROL if htmx_target == RESEND_CONTROL else CODE_PANEL
    return f"otp/code_panel.html#{part}"


def code_panel_render(
    request: HtmxHttpRequest, page: str, context: Mapping[str, object]
) -> HttpResponse:
    """The signature page `page`, whose context holds the `panel`; for htmx, only the panel."""
    htmx_target = (request.htmx.target or "") if request.htmx else None
    return render(request, code_panel_template(page, htmx_target=htmx_target), context)
