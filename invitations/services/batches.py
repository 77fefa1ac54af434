"""Several collaborators invited at once, typed (the same rights for all) or from a CSV file
(rights per person, or the same for all), then signed with one SMS code (batch_signing).

Each invitation of a batch then lives on its own (email, acceptance, resend, revoke, expiry); an
edit of its rights takes it out of the batch, and while the batch is unsigned its members cannot
be signed one by one.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from companies.models import Company, Membership
from invitations.models import (
    BATCH_MAX_INVITEES,
    Invitation,
    InvitationBatch,
    InvitationStatus,
)
from invitations.services.batch_file import BatchFileUnreadable, batch_file_read
from invitations.services.creating import (
    check_end_dates,
    check_rights,
    count_against_daily_ceiling,
    invitee_refusals,
    mobile_checked,
    uncount_against_daily_ceiling,
)
from invitations.services.exceptions import (
    InvitationBatchFileRefused,
    InvitationBatchRefused,
    InvitationRefused,
)
from permissions.catalogue import sorted_rights


@dataclass(frozen=True)
class Invitee:
    """One person of a batch; `rights` None: the rights chosen for the whole batch."""

    email: str
    first_name: str
    last_name: str
    mobile: str = ""
    rights: tuple[str, ...] | None = None
    # the last day of all this person's rights (a file's "Jusqu’au"); None: the batch's dates
    ends_on: datetime.date | None = None


def _taken_emails(company: Company, emails: set[str], now: datetime.datetime) -> dict[str, str]:
    """Which of these addresses cannot be invited now, and why: three queries for any number."""
    # a link whose 7 days have passed no longer blocks a new invitation, swept or not
    Invitation.objects.filter(
        company=company, status=InvitationStatus.SENT, expires_at__lte=now
    ).update(status=InvitationStatus.EXPIRED)
    taken = dict.fromkeys(
        Invitation.objects.open()
        .filter(company=company)
        .annotate(address=Lower("email"))
        .filter(address__in=emails)
        .values_list("address", flat=True),
        _("Une invitation est déjà en cours pour cette adresse e-mail."),
    )
    taken.update(
        dict.fromkeys(
            Membership.objects.filter(company=company)
            .annotate(address=Lower("user__email"))
            .filter(address__in=emails)
            .values_list("address", flat=True),
            _("Cette personne fait déjà partie de l’équipe de votre entreprise."),
        )
    )
    return taken


def _rights_refusal(company: Company, rights: tuple[str, ...]) -> str | None:
    try:
        check_rights(company, rights)
    except InvitationRefused as refusal:
        return refusal.message
    return None


def _row_refusals(
    company: Company,
    invitees: Sequence[Invitee],
    now: datetime.datetime,
    *,
    known: Mapping[int, Sequence[str]],
    lines: Sequence[int] | None,
) -> dict[int, str]:
    """Every reason each row cannot be invited, by row (from 0); `known` adds the file's own."""
    taken = _taken_emails(company, {i.email.strip().lower() for i in invitees}, now)
    refusals: dict[int, str] = {}
    first_row: dict[str, int] = {}
    for row, invitee in enumerate(invitees):
        email = invitee.email.strip().lower()
        reasons = list(known.get(row, ()))
        written = invitee_refusals(
            email=invitee.email,
            first_name=invitee.first_name,
            last_name=invitee.last_name,
            mobile=invitee.mobile,
        )
        reasons.extend(written.values())
        if "email" not in written and email in first_row:
            reasons.append(
                _("Cette adresse e-mail figure déjà plus haut dans le groupe.")
                if lines is None
                else _("Cette adresse e-mail figure déjà à la ligne %(line)s.")
                % {"line": lines[first_row[email]]}
            )
        elif "email" not in written and email in taken:
            reasons.append(taken[email])
        if invitee.rights is not None and (refusal := _rights_refusal(company, invitee.rights)):
            reasons.append(refusal)
        if invitee.ends_on is not None and (refusal := _end_date_refusal(invitee, now)):
            reasons.append(refusal)
        first_row.setdefault(email, row)
        if reasons:
            refusals[row] = " ".join(dict.fromkeys(reasons))
    return refusals


def _end_date_refusal(invitee: Invitee, now: datetime.datetime) -> str | None:
    try:
        # any right names the date's problem; the rows' rights are checked on their own
        _row_end_dates(invitee, [invitee.rights[0] if invitee.rights else "documents"], {}, now)
    except InvitationRefused as refusal:
        return refusal.message
    return None


def _row_end_dates(
    invitee: Invitee,
    rights: Sequence[str],
    batch_ends_on: Mapping[str, str],
    now: datetime.datetime,
) -> dict[str, str]:
    """A person's end dates: the file's "Jusqu’au" for all their rights, or the batch's."""
    if invitee.ends_on is None:
        return {right: day for right, day in batch_ends_on.items() if right in rights}
    return check_end_dates(rights, dict.fromkeys(rights, invitee.ends_on), now=now)


def _refused_rows_message(count: int) -> str:
    return ngettext(
        "Une ligne ne peut pas être invitée : corrigez-la ou videz-la.",
        "%(n)s lignes ne peuvent pas être invitées : corrigez-les ou videz-les.",
        count,
    ) % {"n": count}


@transaction.atomic
def invitation_batch_create(
    *,
    company: Company,
    invited_by: User,
    invitees: Sequence[Invitee],
    rights: Iterable[str],
    ends_on: Mapping[str, datetime.date | str | None] | None = None,
    ip_address: str | None,
    now: datetime.datetime,
) -> InvitationBatch:
    """Every row is invited, or none: the refusals of all rows come back together; `ends_on`,
    the end dates of the rights chosen for all."""
    if not 1 <= len(invitees) <= BATCH_MAX_INVITEES:
        raise InvitationRefused(
            _("Un groupe compte de 1 à %(max)s personnes.") % {"max": BATCH_MAX_INVITEES}
        )
    chosen = [r.value for r in check_rights(company, rights)]
    dates = check_end_dates(chosen, ends_on, now=now)
    if refusals := _row_refusals(company, invitees, now, known={}, lines=None):
        raise InvitationBatchRefused(_refused_rows_message(len(refusals)), rows=refusals)
    return _batch_save(company, invited_by, invitees, chosen, dates, ip_address, now)


@transaction.atomic
def invitation_batch_from_file(
    *,
    company: Company,
    invited_by: User,
    content: bytes,
    rights: Iterable[str],
    ends_on: Mapping[str, datetime.date | str | None] | None = None,
    ip_address: str | None,
    now: datetime.datetime,
) -> InvitationBatch:
    """The people of a CSV file (see batch_file), each with the file's rights or `rights`: all
    are invited, or none, and every line's every reason comes back at once."""
    try:
        read = batch_file_read(content)
    except BatchFileUnreadable as unreadable:
        at = {unreadable.line: unreadable.message} if unreadable.line is not None else {}
        raise InvitationBatchFileRefused(unreadable.message, lines=at) from None
    rights = list(rights)
    if read.has_rights and rights:
        raise InvitationRefused(
            _(
                "Votre fichier indique les droits de chaque personne : ne cochez aucun droit "
                "ici, ou retirez les colonnes de droits du fichier."
            ),
            field="rights",
        )
    chosen = [] if read.has_rights else [r.value for r in check_rights(company, rights)]
    # the page's end dates go with the page's rights; a file's rights take the file's dates
    dates = check_end_dates(chosen, ends_on, now=now)
    invitees = [
        Invitee(
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            mobile=row.mobile,
            rights=row.rights,
            ends_on=row.ends_on,
        )
        for row in read.rows
    ]
    lines = [row.line for row in read.rows]
    known = {index: row.problems for index, row in enumerate(read.rows) if row.problems}
    if refusals := _row_refusals(company, invitees, now, known=known, lines=lines):
        raise InvitationBatchFileRefused(
            ngettext(
                "Une ligne du fichier ne peut pas être invitée : corrigez-la, puis envoyez le "
                "fichier à nouveau. Personne n’a été invité.",
                "%(n)s lignes du fichier ne peuvent pas être invitées : corrigez-les, puis "
                "envoyez le fichier à nouveau. Personne n’a été invité.",
                len(refusals),
            )
            % {"n": len(refusals)},
            lines={lines[row]: message for row, message in refusals.items()},
        )
    return _batch_save(company, invited_by, invitees, chosen, dates, ip_address, now)


def _batch_save(
    company: Company,
    invited_by: User,
    invitees: Sequence[Invitee],
    chosen: list[str],
    ends_on: Mapping[str, str],
    ip_address: str | None,
    now: datetime.datetime,
) -> InvitationBatch:
    count_against_daily_ceiling(company, now, invitees=len(invitees))
    batch = InvitationBatch.objects.create(company=company, invited_by=invited_by, created_at=now)
    rows = [
        (
            invitee,
            chosen if invitee.rights is None else [r.value for r in sorted_rights(invitee.rights)],
        )
        for invitee in invitees
    ]
    try:
        with transaction.atomic():
            invitations = Invitation.objects.bulk_create(
                Invitation(
                    company=company,
                    invited_by=invited_by,
                    batch=batch,
                    email=invitee.email.strip().lower(),
                    first_name=invitee.first_name.strip(),
                    last_name=invitee.last_name.strip(),
                    mobile=mobile_checked(invitee.mobile),
                    rights=rights,
                    ends_on=_row_end_dates(invitee, rights, ends_on, now),
                    created_at=now,
                )
                for invitee, rights in rows
            )
    except IntegrityError:
        # race: another request invited one of these addresses in between
        uncount_against_daily_ceiling(company, now, invitees=len(invitees))
        raise InvitationRefused(
            _("Une invitation est déjà en cours pour l’une de ces adresses e-mail.")
        ) from None
    for invitation in invitations:
        audit_record(
            action=Action.INVITATION_CREATED,
            actor=invited_by,
            company=company,
            target=invitation,
            ip_address=ip_address,
            data={
                "rights": invitation.rights,
                "batch": batch.pk,
                **({"ends_on": invitation.ends_on} if invitation.ends_on else {}),
            },
        )
    return batch
