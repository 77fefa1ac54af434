"""Decorators about the login itself: signing needs a recent one (rights: permissions.checks)."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from accounts.signals import LOGIN_AT_SESSION_KEY

P = ParamSpec("P")
R = TypeVar("R", bound=HttpRequest)
View = Callable[Concatenate[R, P], HttpResponse]


def login_is_recent(request: HttpRequest) -> bool:
    """Whether the session logged in within SIGNING_RECENT_LOGIN_SECONDS."""
    login_at = request.session.get(LOGIN_AT_SESSION_KEY)
    if not isinstance(login_at, int | float):
        return False
    return timezone.now().timestamp() - login_at <= settings.SIGNING_RECENT_LOGIN_SECONDS


def require_recent_login(*, next_page: str) -> Callable[[View[R, P]], View[R, P]]:
    """Signing needs a recent login: otherwise the password is asked again, before anything runs.

    `next_page`: the URL name to come back to after logging in, reversed with the view's keyword
    arguments (an action answering POST only sends the person back to the page that offers it).
    """

    def decorator(view: View[R, P]) -> View[R, P]:
        @wraps(view)
        def wrapper(request: R, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if login_is_recent(request):
                return view(request, *args, **kwargs)
            messages.info(
                request,
                _(
                    "Pour signer, confirmez d’abord votre identité en saisissant votre mot de passe."
                ),
            )
            back = reverse(next_page, kwargs=kwargs)
            login_url = f"{reverse('accounts:login')}?{urlencode({'next': back})}"
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(login_url)
            return HttpResponseRedirect(login_url)

        return wrapper

    return decorator
