"""Support staff's writes: a decision with a comment (and the RIB it validates), draft
documentation, and the email that tells the company."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.reasons import reason_clean, reason_refusal
from audit.services import audit_record
from client_requests.kinds import (
    SUPPORT_TRANSITIONS,
    RequestKind,
    RequestStatus,
)
from client_requests.models import Attachment, ClientRequest, StatusChange
from client_requests.selectors import request_followers
from client_requests.services.common import (
    NewFile,
    RequestRefused,
    _files_removed_on_error,
    _lock,
    _move,
    _store,
)
from client_requests.services.rules import text_refusal
from core import outbox


def _apply_bank_details(
    *, client_request: ClientRequest, by: User, now: datetime.datetime, reason: str
) -> None:
    company = client_request.company
    before = {"holder": company.bank_account_holder, "iban": company.iban, "bic": company.bic}
    company.bank_account_holder = client_request.details["holder"]
    company.iban = client_request.details["iban"]
    company.bic = client_request.details["bic"]
    company.bank_details_changed_at = now
    company.save(update_fields=["bank_account_holder", "iban", "bic", "bank_details_changed_at"])
    audit_record(
        action=Action.BANK_DETAILS_CHANGED,
        actor=by,
        company=company,
        target=client_request,
        data={
            "from_iban_end": before["iban"][-4:],
            "to_iban_end": company.iban[-4:],
            "request": client_request.pk,
            "reason": reason,
        },
    )


def request_move(
    *,
    client_request: ClientRequest,
    to_status: RequestStatus,
    comment: str,
    by: User,
    reason: str,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """Support staff's decision, with its reason (kept in the audit); the comment is shown to the
    company. Validating a RIB change is what changes the company's RIB."""
    if missing := reason_refusal(reason):
        raise RequestRefused(missing, field="reason")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(client_request)
        if to_status not in SUPPORT_TRANSITIONS.get(locked.status, ()):
            raise RequestRefused(
                _("Une demande « %(status)s » ne peut pas passer à « %(to)s ».")
                % {"status": locked.get_status_display(), "to": RequestStatus(to_status).label},
                field="to_status",
            )
        if to_status == RequestStatus.REFUSED and not comment.strip():
            raise RequestRefused(
                _("Expliquez le refus à l’entreprise dans le commentaire."), field="comment"
            )
        if refusal := text_refusal(comment, field="comment"):
            raise refusal
        from_status = locked.status
        change = _move(
            client_request=locked,
            to_status=to_status,
            by=by,
            now=now,
            comment=comment.strip(),
            by_bank=True,
        )
        fields = ["status", "updated_at"]
        if locked.is_closed:
            locked.closed_at = now
            fields.append("closed_at")
        locked.save(update_fields=fields)
        if to_status == RequestStatus.DONE and locked.kind == RequestKind.BANK_DETAILS_CHANGE:
            _apply_bank_details(client_request=locked, by=by, now=now, reason=reason_clean(reason))
        audit_record(
            action=Action.REQUEST_STATUS_CHANGED,
            actor=by,
            company=locked.company,
            target=locked,
            ip_address=ip_address,
            data={"from": from_status, "to": to_status, "reason": reason_clean(reason)},
        )
        status_change_notices_queue(change, now=now)
    return locked


def bank_attachment_add(
    *,
    client_request: ClientRequest,
    new_file: NewFile,
    by: User,
    ip_address: str | None = None,
) -> Attachment:
    """Support staff attach a document (draft documentation) to a request."""
    stored: list[str] = []
    with _files_removed_on_error(stored), transaction.atomic():
        locked = _lock(client_request)
        if locked.is_closed:
            raise RequestRefused(
                _("Cette demande est close : on ne peut plus y joindre de document.")
            )
        return _store(
            client_request=locked, new_file=new_file, by=by, ip_address=ip_address, stored=stored
        )


def status_change_notices_queue(change: StatusChange, *, now: datetime.datetime) -> int:
    """Write the email of the bank's move and its comment to the request's author and to the
    members whose right covers its kind, one row each, in the move's transaction; how many."""
    client_request = change.request
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "client_requests:detail",
        kwargs={"company_id": client_request.company_id, "request_id": client_request.pk},
    )
    followers = request_followers(client_request=client_request)
    for user in followers:
        outbox.email_queue(
            key=f"client_requests.statuschange:{change.pk}:user:{user.pk}",
            to=user.email,
            subject=_("Votre demande n° %(number)s : %(status)s")
            % {"number": client_request.pk, "status": change.get_to_status_display()},
            template="client_requests/email/status_changed",
            context={
                "user": user,
                "change": change,
                "client_request": client_request,
                "company": client_request.company,
                "request_url": url,
            },
            about=change,
            company_id=client_request.company_id,
            now=now,
        )
    change.notified_at = now
    change.save(update_fields=["notified_at"])
    return len(followers)
