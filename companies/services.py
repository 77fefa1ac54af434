"""Rules every app must keep about who belongs where: a company keeps an active administrator."""

import calendar
import datetime
from collections.abc import Collection, Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company, Membership, Role


class CompanyRefused(Exception):
    """A refusal to show the person who asked (an administrator, a support agent)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def last_admin_refusal(*, company_id: int, leaving: Iterable[int], joining: int = 0) -> str | None:
    """Why the memberships `leaving` (removed, suspended or no longer administrators) cannot go:
    they are all the company's active administrators and `joining` brings none. None: they can.

    A company that has no active administrator yet (being set up by support) is not refused.
    """
    active = set(
        Membership.objects.active()
        .filter(company_id=company_id, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )
    if active and not (active - set(leaving)) and not joining:
        return _(
            "L’entreprise doit garder au moins un administrateur actif : le dernier ne peut être "
            "ni suspendu, ni retiré, ni changé en collaborateur."
        )
    return None


def users_leaving_refusal(*, user_ids: Collection[int]) -> str | None:
    """Why these people's accounts cannot be deactivated or deleted together: they are the last
    active administrators of one of their companies (the company is named). None: they can."""
    admin_of = (
        Membership.objects.active()
        .filter(user_id__in=user_ids, role=Role.ADMIN)
        .values_list("pk", "company_id", "company__name")
        .order_by("company__name", "pk")
    )
    by_company: dict[int, tuple[str, list[int]]] = {}
    for membership_id, company_id, company_name in admin_of:
        by_company.setdefault(company_id, (company_name, []))[1].append(membership_id)
    for company_id, (company_name, leaving) in by_company.items():
        if refusal := last_admin_refusal(company_id=company_id, leaving=leaving):
            return f"{company_name} : {refusal}"
    return None


def user_deactivation_refusal(*, user_id: int) -> str | None:
    """Why this person's account cannot be deactivated: they are the last active administrator of
    one of their companies (the company is named). None: it can."""
    return users_leaving_refusal(user_ids=[user_id])


@transaction.atomic
def users_delete(*, user_ids: Collection[int]) -> int:
    """Deletes these accounts with their memberships; how many accounts went. CompanyRefused when a
    company would lose its last active administrator."""
    # lock: the companies' rows, as a team change does, so a suspension cannot race the deletion
    companies = Membership.objects.filter(user_id__in=user_ids).values("company_id")
    list(Company.objects.select_for_update().filter(pk__in=companies).order_by("pk").values("pk"))
    if refusal := users_leaving_refusal(user_ids=user_ids):
        raise CompanyRefused(refusal)
    user_model = get_user_model()
    _, deleted = user_model.objects.filter(pk__in=user_ids).delete()
    return deleted.get(user_model._meta.label, 0)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day when it has no such day (31 → 30)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def access_review_due_on(company: Company) -> datetime.date:
    """One period after the last signed review, or after the company's creation (Paris time)."""
    start = company.access_review_signed_on or timezone.localdate(company.created_at)
    return months_after(start, company.access_review_months)


def access_review_reschedule(*, company_id: int) -> datetime.date:
    """Store the next review's due date on the company's row (its period or last review changed)."""
    company = Company.objects.get(pk=company_id)
    due_on = access_review_due_on(company)
    Company.objects.filter(pk=company_id).update(access_review_due_on=due_on)
    return due_on
