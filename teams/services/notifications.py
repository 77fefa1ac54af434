"""Emails after a rights change, written in the outbox with the change: to the member, and to
every active administrator when a right that moves money or bank details is granted.

One row per person, keyed by the change and the person: written twice, each is sent once.
"""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from companies.models import Membership, Role
from core import outbox
from core.text import french_elide
from permissions.catalogue import specs_for
from permissions.end_dates import dated_specs, until_text
from permissions.models import Grant
from teams.models import RightsChange


def _company_url(company_id: int) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("portal:company_home", args=[company_id])


def _member_notice_queue(change: RightsChange, *, now: datetime.datetime) -> None:
    """The member is told the rights they hold after the change."""
    member = change.membership.user
    company = change.membership.company
    outbox.email_queue(
        key=f"teams.rightschange:{change.pk}:member:{member.pk}",
        to=member.email,
        subject=_("Vos droits dans l’espace %(of_company)s ont changé")
        % {"of_company": french_elide("de", company.name)},
        template="teams/email/rights_changed",
        context={
            "member": member,
            "company": company,
            "rights": specs_for(change.rights),
            "added": specs_for(change.added),
            "removed": specs_for(change.removed),
            "url": _company_url(company.pk),
            "by_support": change.by_support,
        },
        about=change,
        company_id=company.pk,
        now=now,
    )
    change.member_notified_at = now


def _admins_notice_queue(change: RightsChange, *, now: datetime.datetime) -> None:
    """Every active administrator is told a right moving money or bank details was granted."""
    granted = [spec for spec in specs_for(change.added) if spec.moves_money]
    if not granted:
        return
    company = change.membership.company
    signer = change.authorisation.signer if change.authorisation else change.requested_by
    admins = (
        Membership.objects.active()
        .filter(company=company, role=Role.ADMIN)
        .select_related("user")
        .order_by("pk")
    )
    for admin in admins:
        outbox.email_queue(
            key=f"teams.rightschange:{change.pk}:admin:{admin.user_id}",
            to=admin.user.email,
            subject=_("%(company)s : un droit sensible a été accordé") % {"company": company.name},
            template="teams/email/money_rights_granted",
            context={
                "admin": admin.user,
                "member": change.membership.user,
                "signer": signer,
                "company": company,
                "granted": granted,
                "by_support": change.by_support,
                "url": settings.PORTAL_BASE_URL.rstrip("/")
                + reverse("teams:member", args=[company.pk, change.membership_id]),
            },
            about=change,
            company_id=company.pk,
            now=now,
        )
    change.admins_notified_at = now


def rights_change_notices_queue(change: RightsChange, *, now: datetime.datetime) -> None:
    """Write the change's emails, in the transaction that applies it."""
    _member_notice_queue(change, now=now)
    _admins_notice_queue(change, now=now)
    change.save(update_fields=["member_notified_at", "admins_notified_at"])


class MemberNotice:
    SUSPENDED = "suspended"
    REACTIVATED = "reactivated"
    REMOVED = "removed"
    ROLE_CHANGED = "role_changed"


def _subject(notice: str, company_name: str) -> str:
    subjects = {
        MemberNotice.SUSPENDED: _("Votre accès à l’espace %(of_company)s est suspendu"),
        MemberNotice.REACTIVATED: _("Votre accès à l’espace %(of_company)s est rétabli"),
        MemberNotice.REMOVED: _("Vous n’avez plus accès à l’espace %(of_company)s"),
        MemberNotice.ROLE_CHANGED: _("Votre rôle dans l’espace %(of_company)s a changé"),
    }
    return subjects[notice] % {"of_company": french_elide("de", company_name)}


def member_notice_queue(
    member: Membership, *, notice: str, occurrence: int, now: datetime.datetime
) -> None:
    """Tell the member their access changed (suspended, reactivated, removed, a new role), in the
    transaction of the change; `occurrence` (the change's audit event) makes each change one email."""
    company = member.company
    admins = [
        admin.user
        for admin in Membership.objects.active()
        .filter(company=company, role=Role.ADMIN)
        .exclude(pk=member.pk)
        .select_related("user")
        .order_by("pk")
    ]
    outbox.email_queue(
        key=f"teams.membership:{member.pk}:{notice}:{occurrence}",
        to=member.user.email,
        subject=_subject(notice, company.name),
        template="teams/email/member_status",
        context={
            "member": member.user,
            "company": company,
            "notice": notice,
            "role": member.get_role_display(),
            "admins": admins,
            "url": _company_url(company.pk),
        },
        about=member.user,
        company_id=company.pk,
        now=now,
    )


def _member_url(company_id: int, membership_id: int) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "teams:member", args=[company_id, membership_id]
    )


def _active_admins(company_id: int) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(company_id=company_id, role=Role.ADMIN)
        .select_related("user")
        .order_by("pk")
    )


def _ended_key(change: RightsChange, ended: Sequence[Grant]) -> str:
    """The same rights ending on the same days make the same key, whichever run writes them."""
    what = "+".join(f"{g.right}@{g.ends_on}" for g in sorted(ended, key=lambda g: g.right))
    return f"teams.rightsended:{change.membership_id}:{what}"


def rights_ended_notices_queue(
    change: RightsChange, *, ended: Sequence[Grant], now: datetime.datetime
) -> None:
    """The member and every active administrator are told which rights reached their end date,
    in the transaction that closes them."""
    membership = change.membership
    member, company = membership.user, membership.company
    key = _ended_key(change, ended)
    ended_specs = dated_specs(
        [g.right for g in ended], {g.right: g.ends_on.isoformat() for g in ended if g.ends_on}
    )
    context = {
        "member": member,
        "company": company,
        "ended": ended_specs,
        "rights": dated_specs(change.rights, change.ends_on),
    }
    outbox.email_queue(
        key=f"{key}:member:{member.pk}",
        to=member.email,
        subject=_("Des droits dans l’espace %(of_company)s ont pris fin")
        % {"of_company": french_elide("de", company.name)},
        template="teams/email/rights_ended",
        context={**context, "url": _company_url(company.pk)},
        about=change,
        company_id=company.pk,
        now=now,
    )
    for admin in _active_admins(company.pk):
        outbox.email_queue(
            key=f"{key}:admin:{admin.user_id}",
            to=admin.user.email,
            subject=_("%(company)s : des droits de %(name)s ont pris fin")
            % {"company": company.name, "name": member.get_full_name() or member.email},
            template="teams/email/rights_ended_admin",
            context={**context, "admin": admin.user, "url": _member_url(company.pk, membership.pk)},
            about=change,
            company_id=company.pk,
            now=now,
        )
    change.member_notified_at = now
    change.admins_notified_at = now
    change.save(update_fields=["member_notified_at", "admins_notified_at"])


def grant_end_notice_queue(grant: Grant, *, now: datetime.datetime) -> None:
    """Every active administrator is asked whether to extend a right that ends within a week,
    with a link to the member's page (the extension is a signed rights change)."""
    assert grant.ends_on is not None
    membership = grant.membership
    member, company = membership.user, membership.company
    spec = specs_for([grant.right])[0]
    for admin in _active_admins(company.pk):
        outbox.email_queue(
            key=f"teams.grantending:{grant.pk}:{grant.ends_on.isoformat()}:admin:{admin.user_id}",
            to=admin.user.email,
            subject=_("%(company)s : un droit de %(name)s prend fin le %(date)s")
            % {
                "company": company.name,
                "name": member.get_full_name() or member.email,
                "date": grant.ends_on.strftime("%d/%m/%Y"),
            },
            template="teams/email/right_ending_soon",
            context={
                "admin": admin.user,
                "member": member,
                "company": company,
                "right": spec,
                "until": until_text(grant.ends_on),
                "url": _member_url(company.pk, membership.pk),
            },
            about=membership,
            company_id=company.pk,
            now=now,
        )
