"""Authentication events: the audit trail and the login time that signing checks."""

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from accounts.services.login import FACTOR_SESSION_KEY
from accounts.services.sessions import session_end
from audit.models import Action
from audit.services import audit_record, client_ip

# the value predates the move to accounts: sessions opened before it stay open
LOGIN_AT_SESSION_KEY = "portal_login_at"


@receiver(user_logged_in, dispatch_uid="accounts.login")
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # Signing needs a recent login: every way in (form, invitation, tests) stamps it here.
        request.session[LOGIN_AT_SESSION_KEY] = int(time.time())
    factor = request.session.get(FACTOR_SESSION_KEY, "") if request is not None else ""
    audit_record(
        action=Action.LOGIN,
        actor=user,
        target=user,
        ip_address=client_ip(request),
        data={"factor": factor} if factor else None,
    )


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the attempted email is kept: never the password, even the cleansed one.
    attempted = credentials.get("username") or credentials.get("email") or ""
    audit_record(
        action=Action.LOGIN_FAILED,
        ip_address=client_ip(request),
        data={"email": str(attempted).strip().lower()[:254]},
    )


@receiver(user_logged_out, dispatch_uid="accounts.logout")
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    if request is not None and hasattr(request, "session"):
        session_end(session_key=request.session.session_key, now=timezone.now())
    audit_record(action=Action.LOGOUT, actor=user, target=user, ip_address=client_ip(request))
