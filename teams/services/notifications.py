"""Emails after a rights change: to the member, and to the administrators for rights moving money.

Each runs twice and sends once. The member's: a conditional update marks the change before the
email leaves, and a mail failure rolls the mark back so that a retry sends again. The
administrators': each one's email is recorded as it leaves (portal.mail.send_templated_email_once),
so a retry after a failure on one of them emails only those not emailed yet; the change is marked
once all were.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from permissions.catalogue import specs_for
from portal.mail import send_templated_email, send_templated_email_once
from teams.models import Membership, RightsChange, RightsChangeStatus, Role


def _company_url(company_id: int) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("portal:company_home", args=[company_id])


def rights_change_notify_member(*, change_id: int, now: datetime.datetime) -> bool:
    """Email the member the rights they hold after the change."""
    with transaction.atomic():
        marked = RightsChange.objects.filter(
            pk=change_id, status=RightsChangeStatus.APPLIED, member_notified_at__isnull=True
        ).update(member_notified_at=now)
        if not marked:
            return False
        change = RightsChange.objects.select_related("membership__user", "membership__company").get(
            pk=change_id
        )
        company = change.membership.company
        send_templated_email(
            to=change.membership.user.email,
            subject=_("Vos droits dans l’espace de %(company)s ont changé")
            % {"company": company.name},
            template="teams/email/rights_changed",
            context={
                "member": change.membership.user,
                "company": company,
                "rights": specs_for(change.rights),
                "added": specs_for(change.added),
                "removed": specs_for(change.removed),
                "url": _company_url(company.pk),
                "by_support": change.by_support,
            },
        )
    return True


def rights_change_notify_admins(*, change_id: int, now: datetime.datetime) -> int:
    """Email every active administrator when a right that moves money or bank details is granted;
    returns the emails this run sent."""
    change = (
        RightsChange.objects.filter(
            pk=change_id, status=RightsChangeStatus.APPLIED, admins_notified_at__isnull=True
        )
        .select_related(
            "membership__user", "membership__company", "requested_by", "authorisation__signer"
        )
        .first()
    )
    if change is None:
        return 0
    granted = [spec for spec in specs_for(change.added) if spec.moves_money]
    sent = 0
    if granted:
        company = change.membership.company
        signer = change.authorisation.signer if change.authorisation else change.requested_by
        admins = (
            Membership.objects.active()
            .filter(company=company, role=Role.ADMIN)
            .select_related("user")
            .order_by("pk")
        )
        for admin in admins:
            sent += send_templated_email_once(
                notification=f"teams.rightschange.admins:{change.pk}",
                recipient=admin.user,
                now=now,
                subject=_("%(company)s : un droit sensible a été accordé")
                % {"company": company.name},
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
            )
    RightsChange.objects.filter(pk=change_id, admins_notified_at__isnull=True).update(
        admins_notified_at=now
    )
    return sent
