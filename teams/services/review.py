"""The access review's export: every member's rights and last activity, as a CSV; audited."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from companies.models import Company
from core.csv import BOM
from teams.display import review_columns, review_csv, review_rows
from teams.selectors import access_review


@dataclass(frozen=True)
class ReviewExport:
    filename: str
    content: str


def access_review_export(
    *, company: Company, actor: User, ip_address: str | None, now: datetime.datetime
) -> ReviewExport:
    """The review as CSV (with a BOM, for Excel). Its download is recorded like any document's:
    it lists who may do what in the company."""
    columns = review_columns()
    rows = review_rows(
        company_id=company.pk, review=access_review(company=company), columns=columns
    )
    audit_record(
        action=Action.DOCUMENT_DOWNLOADED,
        actor=actor,
        company=company,
        target=company,
        ip_address=ip_address,
        data={"export": "access_review", "members": len(rows)},
    )
    return ReviewExport(
        filename=f"revue-des-acces-{company.siren}-{timezone.localdate(now):%Y-%m-%d}.csv",
        content=BOM + review_csv(rows, columns),
    )
