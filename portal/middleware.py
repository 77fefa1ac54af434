"""A person who was a member of a company and opens it is told why they cannot: suspended (with
the company's administrators to contact) or removed. Anyone else gets the plain 404, so a company's
existence never leaks."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from permissions.checks import NotAMember
from portal.selectors import former_membership


class FormerMemberMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, NotAMember) or not request.user.is_authenticated:
            return None
        former = former_membership(user=request.user, company_id=exception.company_id)
        if former is None:
            return None
        return render(request, "portal/former_member.html", {"former": former}, status=403)
