"""What time does to an unopened link, with a controlled clock: one reminder with a fresh link two
days before it expires, then one notice to the administrator once it expired."""

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from core.models import Message
from invitations import services
from invitations.models import Invitation, InvitationStatus
from invitations.services import InvitationLinkInvalid
from invitations.services.emails import EXPIRED_EMAIL, REMINDER_EMAIL, reminder_email_queue
from invitations.tasks import invitation_expiry_notices_send, invitation_reminders_send
from tests.invitations.factories import IP, sent, token_in
from tests.otp.factories import NOW
from tests.outbox import deliver

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def remind(now):
    return services.invitation_reminders_send(now=now)


def notify(now):
    return services.invitation_expiry_notices_send(now=now)


def emails(invitation, template):
    return Message.objects.filter(about_id=str(invitation.pk), template=template)


def test_no_reminder_before_two_days_before_expiry(admin):
    invitation, _token = sent(admin)

    assert remind(invitation.expires_at - 2 * DAY - datetime.timedelta(minutes=1)) == 0
    assert not emails(invitation, REMINDER_EMAIL).exists()


def test_the_reminder_is_sent_once_two_days_before_expiry_with_a_new_link(admin):
    invitation, old_token = sent(admin)
    at = invitation.expires_at - 2 * DAY

    assert remind(at) == 1
    assert remind(at + datetime.timedelta(hours=1)) == 0
    assert deliver(now=at, template=REMINDER_EMAIL) == 1

    new_token = token_in(mail.outbox[-1])
    assert new_token != old_token
    assert mail.outbox[-1].to == [invitation.email]
    assert mail.outbox[-1].subject.startswith("Rappel")
    assert emails(invitation, REMINDER_EMAIL).count() == 1
    assert services.invitation_for_token(new_token, now=at).pk == invitation.pk
    invitation.refresh_from_db()
    assert (invitation.reminded_at, invitation.status) == (at, InvitationStatus.SENT)
    # the fresh link lives until the same date: a reminder does not extend the invitation
    assert invitation.expires_at == at + 2 * DAY


def test_the_old_link_is_refused_with_the_date_of_the_newer_one(admin, client):
    invitation, old_token = sent(admin)
    # the page reads the real clock: this link expires tomorrow
    at = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=at + DAY)
    remind(at)

    with pytest.raises(InvitationLinkInvalid) as refused:
        services.invitation_for_token(old_token, now=at)
    response = client.get(reverse("invitations:accept", args=[old_token]))

    assert refused.value.reason == "replaced"
    assert response.status_code == 410
    assert "Ce lien a été remplacé par un lien plus récent, envoyé le" in response.text
    assert str(timezone.localtime(at).year) in response.text


def test_an_old_link_of_a_revoked_invitation_says_it_was_revoked(admin):
    invitation, old_token = sent(admin)
    remind(invitation.expires_at - 2 * DAY)
    services.invitation_revoke(
        invitation_id=invitation.pk, company=admin.company, actor=admin.user, ip_address=IP, now=NOW
    )

    with pytest.raises(InvitationLinkInvalid) as refused:
        services.invitation_for_token(old_token, now=NOW)

    assert refused.value.reason == "revoked"


def test_an_accepted_or_unsent_invitation_gets_no_reminder(admin):
    invitation, _token = sent(admin)
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.ACCEPTED)

    assert remind(invitation.expires_at - DAY) == 0


def test_the_inviter_is_told_once_when_the_invitation_expires_unaccepted(admin):
    invitation, _token = sent(admin)

    assert notify(invitation.expires_at - datetime.timedelta(seconds=1)) == 0
    assert notify(invitation.expires_at) == 1
    assert notify(invitation.expires_at + DAY) == 0
    assert deliver(now=invitation.expires_at, template=EXPIRED_EMAIL) == 1

    [notice] = [m for m in mail.outbox if m.to == [admin.user.email]]
    assert "a expiré" in notice.subject
    assert reverse("teams:team", args=[admin.company_id]) in notice.body
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED
    assert invitation.expiry_notified_at == invitation.expires_at


def test_a_link_that_expired_long_ago_is_not_announced(admin):
    invitation, _token = sent(admin)

    assert notify(invitation.expires_at + 8 * DAY) == 0


def test_an_expired_invitation_is_listed_and_resent_from_mes_equipes(admin, admin_client):
    invitation, _token = sent(admin)
    # the page reads the real clock: this link expired yesterday
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - DAY)
    notify(timezone.now())

    page = admin_client.get(reverse("teams:team", args=[admin.company_id]))
    admin_client.post(reverse("invitations:resend", args=[admin.company_id, invitation.pk]))

    assert "Expirée" in page.text
    assert reverse("invitations:resend", args=[admin.company_id, invitation.pk]) in page.text
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SIGNED
    assert (invitation.reminded_at, invitation.expiry_notified_at) == (None, None)


def test_an_expired_invitation_is_not_resent_to_someone_invited_again(admin):
    invitation, _token = sent(admin)
    notify(invitation.expires_at)
    sent(admin, email=invitation.email)

    with pytest.raises(services.InvitationRefused):
        services.invitation_resend(
            invitation_id=invitation.pk,
            company=admin.company,
            actor=admin.user,
            ip_address=IP,
            now=NOW,
        )


def test_the_reminder_reads_in_english(admin):
    invitation, _token = sent(admin)
    Invitation.objects.filter(pk=invitation.pk).update(reminded_at=NOW)
    invitation.refresh_from_db()

    with translation.override("en"):
        message = reminder_email_queue(invitation, now=NOW)

    assert message.subject.startswith("Reminder")
    assert "replaces the one in the previous email" in message.text


def test_the_command_runs_the_jobs_as_of_a_date(admin):
    invitation, _token = sent(admin)
    out = io.StringIO()
    at = (invitation.expires_at - DAY).astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M+00:00")

    call_command("run_scheduled", "--as-of", at, stdout=out)
    call_command("run_scheduled", "--as-of", at, stdout=out)

    assert "invitation_reminders_send as of" in out.getvalue()
    assert emails(invitation, REMINDER_EMAIL).count() == 1


def test_the_beat_runs_both_jobs(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "invitations.tasks.invitation_reminders_send" in tasks
    assert "invitations.tasks.invitation_expiry_notices_send" in tasks
    assert invitation_reminders_send.apply().get() == 0
    assert invitation_expiry_notices_send.apply().get() == 0


def _twice_at_once(job, now):
    """Run `job(now)` in two threads started together, each with its own connection."""
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run():
        try:
            barrier.wait()
            results.append(job(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_reminder_and_one_notice(admin):
    invitations = [sent(admin, email=f"p{n}@partenaire.example")[0] for n in range(3)]
    expires_at = invitations[0].expires_at

    reminded = _twice_at_once(remind, expires_at - DAY)
    notified = _twice_at_once(notify, expires_at + datetime.timedelta(minutes=1))

    assert sum(reminded) == 3 and sum(notified) == 3
    for invitation in invitations:
        assert emails(invitation, REMINDER_EMAIL).count() == 1
        assert emails(invitation, EXPIRED_EMAIL).count() == 1
