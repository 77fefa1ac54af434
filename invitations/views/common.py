"""Helpers shared by the invitation views."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from core.http import HtmxHttpRequest
from permissions.checks import CompanyRequest

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def redirect_to(request: HtmxHttpRequest, url: str) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def team_url(request: CompanyRequest) -> str:
    return reverse("teams:team", args=[request.company.pk])


def back_to_team(request: CompanyRequest, message: str) -> HttpResponse:
    """Mes équipes again, saying why nothing was done."""
    messages.info(request, message)
    return redirect_to(request, team_url(request))


def sign_url(request: CompanyRequest, invitation_id: int) -> str:
    return reverse("invitations:sign", args=[request.company.pk, invitation_id])
