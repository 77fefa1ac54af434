"""How an invitation reads in Mes équipes' table: its labels, badge and links worked out once
per page (one reverse() per kind of link, not one per row)."""

import dataclasses
import datetime
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.urls import reverse

from invitations.models import Invitation, InvitationStatus
from permissions.catalogue import specs_for
from permissions.end_dates import as_date, until_text

_BADGES = {
    InvitationStatus.AWAITING_SIGNATURE: "badge-warning",
    InvitationStatus.FAILED: "badge-danger",
    InvitationStatus.REVOKED: "badge-danger",
    InvitationStatus.ACCEPTED: "badge-success",
    InvitationStatus.EXPIRED: "badge-muted",
}

_SAMPLE_ID = 1
_SAMPLE_UUID = uuid.UUID(int=1)


@dataclass(frozen=True)
class RightLabel:
    short_label: str
    label: str
    until: str = ""


@dataclass(frozen=True)
class InvitationRow:
    """An invitation's row; a link is "" when the action is not open to it."""

    pk: int
    full_name: str
    email: str
    rights: list[RightLabel]
    invited_by: str
    status_label: str
    status_badge: str
    expires_at: datetime.datetime | None
    reminded_at: datetime.datetime | None
    reminder_due_at: datetime.datetime | None
    authorisation_url: str
    edit_rights_url: str
    sign_url: str
    resend_url: str
    revoke_url: str


def _until(label: RightLabel, ends_on: str | None) -> RightLabel:
    day = as_date(ends_on)
    return dataclasses.replace(label, until=until_text(day)) if day else label


def _url_for(name: str, company_id: int, sample: object) -> Callable[[object], str]:
    """The URL named `name` of any object of the company, from one reverse()."""
    head, _, tail = reverse(name, args=[company_id, sample]).rpartition(f"/{sample}/")
    return lambda key: f"{head}/{key}/{tail}"


def invitation_rows(*, company_id: int, invitations: Iterable[Invitation]) -> list[InvitationRow]:
    """`invitations` read with who invited them (`select_related("invited_by")`)."""
    status_labels = {value: str(label) for value, label in InvitationStatus.choices}
    authorisation_url = _url_for("teams:authorisation_download", company_id, _SAMPLE_UUID)
    edit_rights_url = _url_for("invitations:edit_rights", company_id, _SAMPLE_ID)
    sign_url = _url_for("invitations:sign", company_id, _SAMPLE_ID)
    resend_url = _url_for("invitations:resend", company_id, _SAMPLE_ID)
    revoke_url = _url_for("invitations:revoke", company_id, _SAMPLE_ID)
    labels: dict[str, RightLabel] = {}

    def rights(codes: Iterable[str], ends_on: Mapping[str, str] | None) -> list[RightLabel]:
        specs = specs_for(codes)
        for spec in specs:
            if spec.right not in labels:
                labels[spec.right] = RightLabel(str(spec.short_label), str(spec.label))
        return [_until(labels[spec.right], (ends_on or {}).get(spec.right)) for spec in specs]

    return [
        InvitationRow(
            pk=invitation.pk,
            full_name=invitation.full_name,
            email=invitation.email,
            rights=rights(invitation.rights, invitation.ends_on),
            invited_by=invitation.invited_by.get_full_name() or invitation.invited_by.email,
            status_label=status_labels[invitation.status],
            status_badge=_BADGES.get(InvitationStatus(invitation.status), "badge-info"),
            expires_at=invitation.expires_at,
            reminded_at=invitation.reminded_at,
            reminder_due_at=invitation.reminder_due_at,
            authorisation_url=authorisation_url(invitation.authorisation_id)
            if invitation.authorisation_id
            else "",
            edit_rights_url=edit_rights_url(invitation.pk)
            if invitation.rights_can_be_edited
            else "",
            sign_url=sign_url(invitation.pk) if invitation.awaits_signature else "",
            resend_url=resend_url(invitation.pk) if invitation.can_be_resent else "",
            revoke_url=revoke_url(invitation.pk) if invitation.can_be_revoked else "",
        )
        for invitation in invitations
    ]
