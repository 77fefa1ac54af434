"""Inviting with rights that end on a date: alone, in a typed batch and from a file; the dates are
signed, stated, and granted on acceptance."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from invitations import services
from invitations.models import Invitation
from invitations.services import InvitationBatchFileRefused, InvitationRefused
from invitations.services.batch_file import batch_file_read, template_csv
from invitations.services.batch_signing import batch_signature_payload
from otp.authorisation_pdf import authorisation_pdf
from otp.services import SignatureError
from permissions.end_dates import local_today
from tests.factories import UserFactory
from tests.invitations.batches import create_batch, request_batch_code, sign_batch
from tests.invitations.factories import IP, create, request_code, sent, sign
from tests.login import log_in
from tests.otp.factories import NOW

pytestmark = pytest.mark.django_db

END = datetime.date(2025, 3, 31)
HEADER = (
    "Prénom;Nom;E-mail;Mobile;Documents;Gestion des fonds;Demandes de l’entreprise;"
    "Suivi de trésorerie;Changement de RIB;Rachat anticipé;Jusqu’au"
)


def test_an_invitation_keeps_the_end_dates_of_its_rights(admin):
    invitation = create(admin, rights=("documents", "treasury"), ends_on={"treasury": END})

    assert invitation.ends_on == {"treasury": "2025-03-31"}


def test_the_end_date_is_in_the_signed_payload_and_the_statement(admin):
    invitation = create(admin, rights=("documents", "treasury"), ends_on={"treasury": END})

    payload = services.signature_payload(invitation, signer=admin.user)
    statement = services.signature_statement(invitation, signer=admin.user)

    assert payload["ends_on"] == {"treasury": "2025-03-31"}
    assert "- Accéder au service Suivi de trésorerie jusqu’au 31/03/2025" in statement


def test_an_end_date_changed_after_the_code_was_sent_makes_the_code_refused(admin):
    invitation = create(admin, rights=("treasury",), ends_on={"treasury": END})
    request_code(invitation, admin)
    Invitation.objects.filter(pk=invitation.pk).update(ends_on={"treasury": "2025-12-31"})

    with pytest.raises(SignatureError):
        sign(invitation, admin)

    invitation.refresh_from_db()
    assert invitation.authorisation is None


def test_accepting_grants_the_signed_end_date(admin):
    lea = UserFactory.create(email="lea.martin@partenaire.example")
    invitation, token = sent(admin, rights=("documents", "treasury"), ends_on={"treasury": END})
    # what was signed counts, not the row
    Invitation.objects.filter(pk=invitation.pk).update(ends_on={})

    membership = services.invitation_accept(token=token, user=lea, ip_address=IP, now=NOW)

    assert dict(membership.grants.values_list("right", "ends_on")) == {
        "documents": None,
        "treasury": END,
    }


def test_the_authorisation_pdf_states_the_end_date(admin, monkeypatch):
    invitation, _token = sent(admin, rights=("treasury",), ends_on={"treasury": END})
    assert invitation.authorisation is not None
    pages: list[str] = []

    def keep(template: str, context: dict) -> str:
        pages.append(render_to_string(template, context))
        return pages[-1]

    monkeypatch.setattr("otp.authorisation_pdf.render_to_string", keep)

    pdf = authorisation_pdf(authorisation=invitation.authorisation)

    assert pdf.startswith(b"%PDF")
    assert "Accéder au service Suivi de trésorerie</strong>" in pages[0]
    assert "jusqu’au 31/03/2025" in pages[0]


def test_an_end_date_for_a_right_not_chosen_is_dropped(admin):
    invitation = create(admin, rights=("documents",), ends_on={"treasury": END})

    assert invitation.ends_on == {}


def test_an_end_date_in_the_past_is_refused_on_its_right(admin):
    with pytest.raises(InvitationRefused, match="postérieure") as refused:
        create(admin, rights=("treasury",), ends_on={"treasury": datetime.date(2025, 1, 1)})

    assert refused.value.field == "ends_on_treasury"
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_the_invitation_form_shows_a_refused_end_date_beside_its_right(client, admin):
    log_in(client, admin.user.email)

    response = client.post(
        reverse("invitations:create", args=[admin.company_id]),
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "email": "lea@partenaire.example",
            "rights": ["treasury"],
            "ends_on_treasury": "01/01/2020",
        },
    )

    assert response.status_code == 200
    assert "postérieure à aujourd’hui" in response.content.decode()
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_the_invitation_form_takes_an_end_date_on_to_the_signature(client, admin):
    end = local_today() + datetime.timedelta(days=90)
    log_in(client, admin.user.email)

    response = client.post(
        reverse("invitations:create", args=[admin.company_id]),
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "email": "lea@partenaire.example",
            "rights": ["treasury"],
            "ends_on_treasury": end.isoformat(),
        },
        follow=True,
    )

    invitation = Invitation.objects.get(company=admin.company)
    assert invitation.ends_on == {"treasury": end.isoformat()}
    assert f"jusqu’au {end:%d/%m/%Y}" in response.content.decode()


def test_a_typed_batch_gives_everyone_the_end_dates_chosen_once(admin):
    batch = create_batch(admin, rights=("documents", "treasury"), ends_on={"treasury": END})

    payload = batch_signature_payload(batch, list(batch.invitations.all()), signer=admin.user)

    assert [i["ends_on"] for i in payload["invitees"]] == [{"treasury": "2025-03-31"}] * 2
    request_batch_code(batch, admin)
    sign_batch(batch, admin)
    for invitation in batch.invitations.all():
        assert invitation.authorisation.ends_on == {"treasury": "2025-03-31"}
        assert "jusqu’au 31/03/2025" in invitation.authorisation.statement


def from_file(admin, *lines: str, rights=(), ends_on=None):
    content = "\r\n".join([HEADER, *lines]) + "\r\n"
    return services.invitation_batch_from_file(
        company=admin.company,
        invited_by=admin.user,
        content=content.encode(),
        rights=rights,
        ends_on=ends_on,
        ip_address=IP,
        now=NOW,
    )


def test_a_files_jusquau_column_ends_all_that_persons_rights(admin):
    batch = from_file(
        admin,
        "Ana;Durand;ana@partenaire.example;;oui;non;non;oui;non;non;31/03/2025",
        "Bob;Roux;bob@partenaire.example;;oui;non;non;non;non;non;",
    )

    dates = {i.email: i.ends_on for i in batch.invitations.all()}
    assert dates == {
        "ana@partenaire.example": {"documents": "2025-03-31", "treasury": "2025-03-31"},
        "bob@partenaire.example": {},
    }


def test_a_files_unreadable_or_past_date_is_refused_on_its_line(admin):
    with pytest.raises(InvitationBatchFileRefused) as refused:
        from_file(
            admin,
            "Ana;Durand;ana@partenaire.example;;oui;non;non;oui;non;non;fin mars",
            "Bob;Roux;bob@partenaire.example;;oui;non;non;non;non;non;01/01/2025",
        )

    assert "illisible" in refused.value.lines[2]
    assert "postérieure" in refused.value.lines[3]
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_a_file_without_rights_takes_the_pages_rights_and_end_dates(admin):
    content = "Prénom;Nom;E-mail\r\nAna;Durand;ana@partenaire.example\r\n"
    batch = services.invitation_batch_from_file(
        company=admin.company,
        invited_by=admin.user,
        content=content.encode(),
        rights=["treasury"],
        ends_on={"treasury": END},
        ip_address=IP,
        now=NOW,
    )

    assert batch.invitations.get().ends_on == {"treasury": "2025-03-31"}


def test_the_template_file_names_the_jusquau_column_last():
    header = template_csv().splitlines()[0]

    assert header.endswith(";Jusqu’au")
    row = "Ana;Durand;ana@partenaire.example;;oui;non;non;non;non;non;2025-03-31"
    assert batch_file_read(f"{header}\r\n{row}\r\n".encode()).rows[0].ends_on == END


def test_the_upload_page_takes_the_end_dates_for_all(client, admin):
    end = local_today() + datetime.timedelta(days=90)
    log_in(client, admin.user.email)
    upload = SimpleUploadedFile(
        "equipe.csv", b"Prenom;Nom;E-mail\r\nAna;Durand;ana@partenaire.example\r\n", "text/csv"
    )

    client.post(
        reverse("invitations:batch_upload", args=[admin.company_id]),
        {"file": upload, "rights": ["treasury"], "ends_on_treasury": end.isoformat()},
    )

    assert Invitation.objects.get(company=admin.company).ends_on == {"treasury": end.isoformat()}


def test_the_pending_invitations_table_shows_the_planned_reminder(client, admin):
    invitation, _token = sent(admin, rights=("treasury",), ends_on={"treasury": END})
    log_in(client, admin.user.email)

    page = client.get(reverse("teams:team", args=[admin.company_id])).content.decode()

    assert invitation.reminder_due_at is not None
    assert f"Rappel prévu le {timezone.localtime(invitation.reminder_due_at):%d/%m/%Y}" in page
    assert "jusqu’au 31/03/2025" in page
