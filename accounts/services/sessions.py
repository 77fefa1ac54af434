"""Where an account is logged in: one row per session, the browser's device cookie, the email
when a browser never seen logs in, and ending the other sessions."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from importlib import import_module

import user_agents
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, UserSession
from audit.models import Action
from audit.services import audit_record, client_ip
from core import outbox

# the session's last write of its activity: the row is written at most once a minute
SEEN_SESSION_KEY = "portal_seen_at"
# set on the request when the browser needs a new device cookie (its first login)
NEW_DEVICE_ATTRIBUTE = "portal_new_device"


def browser_label(user_agent: str) -> str:
    """ "Firefox 128 · Ubuntu" from the browser's User-Agent."""
    if not user_agent:
        return _("Navigateur inconnu")
    parsed = user_agents.parse(user_agent)
    browser = f"{parsed.browser.family} {parsed.browser.version_string}".strip()
    system = f"{parsed.os.family} {parsed.os.version_string}".strip()
    return f"{browser} · {system}"


def _device_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _device_token(request: HttpRequest) -> str:
    token = request.COOKIES.get(settings.DEVICE_COOKIE_NAME, "")
    if len(token) != 43:  # secrets.token_urlsafe(32)
        token = secrets.token_urlsafe(32)
        setattr(request, NEW_DEVICE_ATTRIBUTE, token)
    return token


def device_cookie_set(*, request: HttpRequest, response: HttpResponse) -> None:
    token = getattr(request, NEW_DEVICE_ATTRIBUTE, None)
    if token:
        response.set_cookie(
            settings.DEVICE_COOKIE_NAME,
            token,
            max_age=settings.DEVICE_COOKIE_AGE_SECONDS,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


@transaction.atomic
def session_record(
    *, request: HttpRequest, user: User, factor: str, now: datetime.datetime
) -> UserSession:
    """A session that has just logged in with two factors; a browser never seen is told by email
    (not the account's very first session: nothing to compare with)."""
    device = _device_digest(_device_token(request))
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:400]
    ip_address = client_ip(request)
    known_browser = UserSession.objects.filter(user=user, device=device).exists()
    first_session = not UserSession.objects.filter(user=user).exists()
    session = UserSession.objects.create(
        session_key=str(request.session.session_key),
        user=user,
        device=device,
        user_agent=user_agent,
        ip_address=ip_address,
        factor=factor,
        created_at=now,
        last_seen_at=now,
    )
    request.session[SEEN_SESSION_KEY] = now.timestamp()
    if not known_browser and not first_session:
        outbox.email_queue(
            key=f"accounts.new_login:{session.pk}",
            to=user.email,
            subject=_("%(bank)s · Nouvelle connexion à votre espace")
            % {"bank": settings.BANK_NAME},
            template="accounts/email/new_login",
            context={
                "user": user,
                "when": timezone.localtime(now),
                "browser": browser_label(user_agent),
                "ip_address": ip_address or _("inconnue"),
                "support": settings.SUPPORT_CONTACT,
            },
            about=user,
            now=now,
        )
    return session


def session_touch(*, request: HttpRequest, now: datetime.datetime) -> None:
    """The session's last activity, written at most once a minute."""
    seen_at = request.session.get(SEEN_SESSION_KEY)
    if seen_at is None:
        return  # not a session opened through the login (nothing to keep current)
    if now.timestamp() - float(seen_at) < settings.SESSION_ACTIVITY_WRITE_SECONDS:
        return
    request.session[SEEN_SESSION_KEY] = now.timestamp()
    UserSession.objects.filter(
        session_key=request.session.session_key, ended_at__isnull=True
    ).update(last_seen_at=now, ip_address=client_ip(request))


def session_end(*, session_key: str | None, now: datetime.datetime) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            ended_at=now
        )


def sessions_active(*, user: User, now: datetime.datetime) -> QuerySet[UserSession]:
    """The account's sessions still open: not ended, active within the idle timeout, younger
    than the absolute lifetime. Most recent activity first."""
    return UserSession.objects.filter(
        user=user,
        ended_at__isnull=True,
        last_seen_at__gte=now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE),
        created_at__gte=now - datetime.timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS),
    ).order_by("-last_seen_at")


@dataclass(frozen=True)
class SessionShown:
    browser: str
    ip_address: str | None
    created_at: datetime.datetime
    last_seen_at: datetime.datetime
    current: bool


def sessions_listed(
    *, user: User, current_key: str | None, now: datetime.datetime
) -> list[SessionShown]:
    """Mon compte's list: each open session's browser and system, address and times."""
    return [
        SessionShown(
            browser=browser_label(session.user_agent),
            ip_address=session.ip_address,
            created_at=session.created_at,
            last_seen_at=session.last_seen_at,
            current=session.session_key == current_key,
        )
        for session in sessions_active(user=user, now=now)[:50]
    ]


@transaction.atomic
def sessions_end_others(*, request: HttpRequest, user: User, now: datetime.datetime) -> int:
    """Log out every other session of the account (this one stays): returns how many ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    others = list(
        UserSession.objects.select_for_update()
        .filter(user=user, ended_at__isnull=True)
        .exclude(session_key=request.session.session_key)
    )
    for other in others:
        store(session_key=other.session_key).delete()
    UserSession.objects.filter(pk__in=[other.pk for other in others]).update(ended_at=now)
    audit_record(
        action=Action.SESSIONS_ENDED,
        actor=user,
        target=user,
        ip_address=client_ip(request),
        data={"ended": len(others)},
    )
    return len(others)


def sessions_end_all(*, user: User, now: datetime.datetime) -> int:
    """Every session of the account ends (support reset its second factors)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = list(UserSession.objects.filter(user=user, ended_at__isnull=True))
    for session in sessions:
        store(session_key=session.session_key).delete()
    UserSession.objects.filter(pk__in=[s.pk for s in sessions]).update(ended_at=now)
    return len(sessions)
