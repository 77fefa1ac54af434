"""Logging in through the real pages: the password, then the code the SMS backend received."""

import re

from django.test import Client
from django.urls import reverse

from core import sms
from invitations import services
from tests.factories import PASSWORD

LOGIN_URL = reverse("accounts:login")
SECOND_STEP_URL = reverse("accounts:login_second_step")


def last_code(to: str | None = None) -> str:
    """The code of the last SMS sent (to this number, if given)."""
    for message in reversed(sms.outbox):
        if to is None or message.to == str(to):
            match = re.search(r"\b(\d{6})\b", message.body)
            if match:
                return match.group(1)
    raise AssertionError(f"No code was sent by SMS: {sms.outbox!r}")


def log_in_password(client: Client, email: str, password: str = PASSWORD, **extra: object):
    """The first step only: the session waits for its second factor."""
    data = {"email": email, "password": password}
    if next_url := extra.pop("next", ""):
        data["next"] = str(next_url)
    return client.post(LOGIN_URL, data, **extra)  # type: ignore[arg-type]


def log_in(client: Client, email: str, password: str = PASSWORD, **extra: object):
    """Both steps, as a person does: the password, then the code received by SMS. Returns the
    response to the code (a redirect once logged in)."""
    response = log_in_password(client, email, password, **extra)
    if response.status_code != 302 or response.url != SECOND_STEP_URL:
        return response
    extra.pop("next", None)
    return client.post(SECOND_STEP_URL, {"code": last_code()}, **extra)  # type: ignore[arg-type]


def accept_new_account_service(*, token: str, ip_address: str | None, now, **fields: str):
    """The acceptance services as the pages chain them: the form's fields (a code goes to the
    mobile), then the code received."""
    pending = services.invitation_acceptance_begin(token=token, now=now, **fields)
    return services.invitation_accept_new_account(
        token=token,
        pending=pending,
        code=last_code(pending["mobile"]),
        ip_address=ip_address,
        now=now,
    )


def accept_new_account(client: Client, url: str, data: dict[str, object], **extra: object):
    """The new account form of an invitation, then the code sent to its mobile (as a person
    does). Returns the last response: the form again if it was refused."""
    response = client.post(url, data, **extra)  # type: ignore[arg-type]
    if response.status_code != 200 or 'value="confirm_mobile"' not in response.text:
        return response
    return client.post(
        url,
        {"accept_with": "confirm_mobile", "code": last_code()},
        **extra,  # type: ignore[arg-type]
    )
