import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services.login import PENDING_SESSION_KEY, login_pending
from accounts.services.sessions import device_cookie_set, session_touch
from accounts.signals import LOGIN_AT_SESSION_KEY


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except when the session this request carried was ended meanwhile by another
    request of the same browser (a double click on a form that logs in: the first click replaced
    the session; a logout elsewhere): the page the view made is answered as it is, without saving
    the ended session or touching the cookie, instead of Django's generic 400. What the request
    did is committed either way; the page says what happened (an invitation already accepted, a
    code already used), and the next request carries whichever session the browser holds now."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except SessionInterrupted:
            return response


class AbsoluteSessionLifetimeMiddleware:
    """Ends a session a fixed time after login, however active it was (idle expiry is Django's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            login_at = request.session.get(LOGIN_AT_SESSION_KEY)
            too_old = login_at is None or time.time() - login_at > settings.SESSION_ABSOLUTE_SECONDS
            if too_old:
                logout(request)
                messages.info(
                    request, _("Votre session a expiré. Reconnectez-vous pour continuer.")
                )
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class SecondStepMiddleware:
    """Between the password and the second factor the session reaches the second step, logout and
    what a page needs (static files, the language switcher), and the login page to start again; nothing else: every other URL,
    company pages and /admin/ included, sends back to the step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not request.user.is_authenticated
            and PENDING_SESSION_KEY in request.session
            and not self._open_during_step(request.path_info)
            and login_pending(request) is not None
        ):
            return redirect("accounts:login_second_step")
        return self.get_response(request)

    @staticmethod
    def _open_during_step(path: str) -> bool:
        open_prefixes = [
            # the login page starts again (another password, another person)
            reverse("accounts:login"),
            reverse("accounts:login_second_step"),
            reverse("accounts:logout"),
            reverse("set_language"),
            "/" + settings.STATIC_URL.lstrip("/"),
            "/healthz",
        ]
        if settings.DEBUG:
            # make run: the code is read at /dev/outbox in the same browser
            open_prefixes.append("/dev/")
        return any(path.startswith(prefix) for prefix in open_prefixes)


class SessionActivityMiddleware:
    """Keeps the account's list of sessions current (last activity, at most once a minute) and
    gives a browser that logged in for the first time its device cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session_touch(request=request, now=timezone.now())
        response = self.get_response(request)
        device_cookie_set(request=request, response=response)
        return response
