import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.signals import LOGIN_AT_SESSION_KEY


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
