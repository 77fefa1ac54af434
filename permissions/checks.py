"""The one place that answers "may this user do X in this company"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, ParamSpec

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from companies.models import Company, Membership
from core.http import HtmxHttpRequest
from permissions.catalogue import Right
from permissions.end_dates import is_current, local_today
from permissions.selectors import GRANTED_CACHE, grantable_rights, membership_with_rights

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User

P = ParamSpec("P")


class CompanyRequest(HtmxHttpRequest):
    """A request whose company was resolved from the URL to the user's active membership."""

    membership: Membership
    company: Company


def held_rights(membership: Membership) -> frozenset[Right]:
    """An administrator holds every right their company can hold; a collaborator, those signed.

    A company page read both with its membership (`permissions.selectors.membership_with_rights`);
    elsewhere the company's contracts are read once per company object and the grants from the
    prefetch, if any. A grant whose last day has passed (Paris time) is not held.
    """
    if membership.is_admin:
        options = grantable_rights(membership.company)
        return frozenset(option.spec.right for option in options if option.enabled)
    granted: frozenset[Right] | None = getattr(membership, GRANTED_CACHE, None)
    if granted is not None:
        return granted
    today = local_today()
    return frozenset(
        Right(grant.right) for grant in membership.grants.all() if is_current(grant.ends_on, today)
    )


def has_right(membership: Membership, right: Right) -> bool:
    return right in held_rights(membership)


class NotAMember(Http404):
    """No active membership of this company: a 404, unless the portal finds the person was a
    member (suspended, removed) and tells them so (portal.middleware)."""

    def __init__(self, company_id: int) -> None:
        super().__init__()
        self.company_id = company_id


def active_membership(*, user: User | AnonymousUser, company_id: int) -> Membership:
    """The user's active membership of the company; another company looks like a missing one."""
    if not user.is_authenticated:
        raise Http404
    membership = membership_with_rights(user_id=user.pk, company_id=company_id)
    if membership is None:
        raise NotAMember(company_id)
    return membership


# a page, or a streamed file (FileResponse)
ViewFunc = Callable[Concatenate[CompanyRequest, P], HttpResponseBase]


@dataclass(frozen=True)
class Refusal:
    """Why a member may not open a page, and what they can do about it."""

    reason: str
    advice: str


def _ask_the_administrator() -> str:
    return _(
        "Si vous pensez avoir besoin de cet accès, adressez-vous à l’administrateur de votre "
        "entreprise : il peut ajuster vos droits depuis la page Mes équipes."
    )


def _forbidden(request: HttpRequest, refusal: Refusal, company: Company | None) -> HttpResponse:
    context = {"reason": refusal.reason, "advice": refusal.advice, "company": company}
    return render(request, "403.html", context, status=403)


def missing_right_reason(right: Right) -> str:
    return _("Il vous manque le droit « %(right)s ».") % {"right": right.label}


def missing_right_response(request: CompanyRequest, right: Right) -> HttpResponse:
    """The 403 page naming the right, for a view that checks an object's right itself."""
    refusal = Refusal(missing_right_reason(right), _ask_the_administrator())
    return _forbidden(request, refusal, request.company)


def _company_view(
    check: Callable[[Membership], Refusal | None],
) -> Callable[[ViewFunc[P]], Callable[Concatenate[HttpRequest, P], HttpResponseBase]]:
    def decorator(view: ViewFunc[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            company_id = kwargs["company_id"]
            membership = active_membership(user=request.user, company_id=int(str(company_id)))
            company_request: CompanyRequest = request  # type: ignore[assignment]
            company_request.membership = membership
            company_request.company = membership.company
            refusal = check(membership)
            if refusal is not None:
                return _forbidden(request, refusal, membership.company)
            return view(company_request, *args, **kwargs)

        return wrapper

    return decorator


def require_membership(
    view: ViewFunc[P],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    return _company_view(lambda membership: None)(view)


def require_company_admin(
    view: ViewFunc[P],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    def check(membership: Membership) -> Refusal | None:
        if membership.is_admin:
            return None
        return Refusal(
            _("Cette page est réservée aux administrateurs de l’entreprise."),
            _(
                "Les administrateurs sont les représentants légaux de l’entreprise, désignés par "
                "la banque."
            ),
        )

    return _company_view(check)(view)


def require_right(
    right: Right,
) -> Callable[[ViewFunc[P]], Callable[Concatenate[HttpRequest, P], HttpResponseBase]]:
    def check(membership: Membership) -> Refusal | None:
        if has_right(membership, right):
            return None
        # the company lacks the contracts this right is about: say that, not "ask your admin"
        for option in grantable_rights(membership.company):
            if option.spec.right == right and not option.enabled:
                return Refusal(
                    str(option.reason),
                    _(
                        "Ce service concerne des contrats que votre entreprise ne détient pas : "
                        "votre chargé d’affaires peut vous les présenter."
                    ),
                )
        return Refusal(missing_right_reason(right), _ask_the_administrator())

    return _company_view(check)
