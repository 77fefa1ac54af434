"""Helpers shared by the invitation views."""

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse

from core.http import redirect_to
from permissions.checks import CompanyRequest

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def team_url(request: CompanyRequest) -> str:
    return reverse("teams:team", args=[request.company.pk])


def back_to_team(request: CompanyRequest, message: str) -> HttpResponse:
    """Mes équipes again, saying why nothing was done."""
    messages.info(request, message)
    return redirect_to(request, team_url(request))


def sign_url(request: CompanyRequest, invitation_id: int) -> str:
    return reverse("invitations:sign", args=[request.company.pk, invitation_id])
