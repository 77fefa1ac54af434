"""The access review's export: every member who matches the filters, with their rights and last
activity, as CSV rows read from the database while they are sent; audited."""

import datetime
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Window
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from companies.models import Company, Membership
from teams.display import review_columns, review_csv_rows, review_rows
from teams.selectors import MemberFilters, access_review_rows

# rows read from the database at a time while the export streams
EXPORT_CHUNK_ROWS = 500


@dataclass(frozen=True)
class ReviewExport:
    filename: str
    rows: Iterator[list[str]]  # the header, then one row per member, read as they are asked for


def _filters_data(filters: MemberFilters) -> dict[str, str | bool]:
    asked: dict[str, str | bool] = {
        "query": filters.query,
        "role": filters.role,
        "status": filters.status,
        "right": filters.right,
        "moves_money": filters.moves_money,
    }
    return {name: value for name, value in asked.items() if value}


def _audited_members(
    *,
    company: Company,
    filters: MemberFilters,
    actor: User,
    ip_address: str | None,
    now: datetime.datetime,
) -> Iterator[Membership]:
    """The members, read in chunks; the download is recorded as soon as the first chunk is read,
    before any member leaves, with how many there are (the same query counts them)."""
    members = (
        access_review_rows(company=company, filters=filters, before=now)
        .annotate(exported=Window(Count("pk")))
        .iterator(chunk_size=EXPORT_CHUNK_ROWS)
    )
    first = next(members, None)
    data: dict[str, object] = {
        "export": "access_review",
        "members": first.exported if first is not None else 0,
    }
    if filters.narrows:
        data["filters"] = _filters_data(filters)
    audit_record(
        action=Action.DOCUMENT_DOWNLOADED,
        actor=actor,
        company=company,
        target=company,
        ip_address=ip_address,
        data=data,
    )
    for member in itertools.chain([] if first is None else [first], members):
        member.company = company  # one object: the company's contracts are read once
        yield member


def access_review_export(
    *,
    company: Company,
    actor: User,
    ip_address: str | None,
    now: datetime.datetime,
    filters: MemberFilters | None = None,
) -> ReviewExport:
    """The review as CSV rows: every member who matches (not a page of them), read lazily so
    that memory does not grow with the team. It lists who may do what in the company, so its
    download is recorded like any document's, with the filters, once its rows are read (see
    `_audited_members`): an export that is never read is not a download."""
    filters = filters or MemberFilters()
    columns = review_columns()
    members = _audited_members(
        company=company, filters=filters, actor=actor, ip_address=ip_address, now=now
    )
    return ReviewExport(
        filename=f"revue-des-acces-{company.siren}-{timezone.localdate(now):%Y-%m-%d}.csv",
        rows=review_csv_rows(
            review_rows(company_id=company.pk, members=members, columns=columns), columns
        ),
    )
