"""What a view needs to know of the person behind a request."""

from django.http import HttpRequest

from accounts.models import User


def current_user(request: HttpRequest) -> User:
    """The logged-in person: LoginRequiredMiddleware lets no anonymous visitor reach a view that
    asks."""
    user = request.user
    assert isinstance(user, User)
    return user
