"""Inviting from a CSV file: every line checked before anyone is invited, then one code for all."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from core.models import Message, MessageKind
from invitations import services
from invitations.models import Invitation, InvitationBatch, InvitationStatus
from invitations.services import InvitationBatchFileRefused, InvitationRefused
from invitations.services.batch_file import (
    BATCH_FILE_MAX_BYTES,
    BatchFileUnreadable,
    batch_file_read,
)
from otp.models import AccessAuthorisation
from otp.services import SignatureError
from permissions.catalogue import Right
from tests.factories import MembershipFactory, UserFactory
from tests.invitations.batches import request_batch_code, sign_batch
from tests.invitations.factories import IP, create
from tests.otp.factories import NOW, last_code

pytestmark = pytest.mark.django_db

HEADER = (
    "Prénom;Nom;E-mail;Mobile;Documents;Gestion des fonds;Demandes de l’entreprise;"
    "Suivi de trésorerie;Changement de RIB;Rachat anticipé"
)


def csv_file(*lines: str, header: str = HEADER, sep: str = ";") -> str:
    return "\r\n".join([header.replace(";", sep), *lines]) + "\r\n"


def person(n: int, *, rights: str = "oui;non;non;oui;non;non", mobile: str = "") -> str:
    return f"Prénom{n};Nom{n};personne{n}@partenaire.example;{mobile};{rights}"


def from_file(admin, content: str | bytes, *, rights=(), encoding: str = "utf-8"):
    data = content.encode(encoding) if isinstance(content, str) else content
    return services.invitation_batch_from_file(
        company=admin.company,
        invited_by=admin.user,
        content=data,
        rights=rights,
        ip_address=IP,
        now=NOW,
    )


def upload_url(company_id: int) -> str:
    return reverse("invitations:batch_upload", args=[company_id])


def upload(client, company_id: int, content: bytes, *, rights=()):
    return client.post(
        upload_url(company_id),
        {"file": SimpleUploadedFile("equipe.csv", content, "text/csv"), "rights": list(rights)},
    )


def sign_url(batch) -> str:
    return reverse("invitations:batch_sign", args=[batch.company_id, batch.pk])


def test_five_hundred_people_are_invited_and_signed_with_one_code(
    admin, admin_client, settings, django_assert_max_num_queries
):
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 1000
    content = csv_file(*(person(n) for n in range(500))).encode()

    response = upload(admin_client, admin.company_id, content)

    batch = InvitationBatch.objects.get(company=admin.company)
    assert response["Location"] == sign_url(batch)
    admin_client.get(sign_url(batch))
    with django_assert_max_num_queries(10):
        page = admin_client.get(sign_url(batch), {"page": 10})
    assert "500 personnes" in page.text
    assert "Page 10 sur 10" in page.text
    assert "personne99@partenaire.example" in page.text  # the last by email
    request_batch_code(batch, admin)
    signed = sign_batch(batch, admin)
    assert len(signed) == 500
    batch.refresh_from_db()
    assert AccessAuthorisation.objects.filter(challenge=batch.challenge).count() == 500
    assert (
        Message.objects.filter(
            kind=MessageKind.EMAIL, company_id=admin.company_id, template__contains="invitation"
        ).count()
        == 500
    )
    assert set(Invitation.objects.filter(batch=batch).values_list("status", flat=True)) == {
        InvitationStatus.SIGNED
    }


def test_one_wrong_line_refuses_the_whole_file_with_every_lines_reason(admin, admin_client):
    MembershipFactory.create(
        company=admin.company, user=UserFactory.create(email="membre@partenaire.example")
    )
    create(admin, email="deja@partenaire.example")
    content = csv_file(
        person(1),
        "Ana;Durand;pas-une-adresse;;oui;non;non;non;non;non",
        person(3),
        "Bob;Martin;PERSONNE1@partenaire.example;;oui;non;non;non;non;non",
        "Cleo;Petit;membre@partenaire.example;;oui;non;non;non;non;non",
        "Dan;Roux;deja@partenaire.example;;oui;non;non;non;non;non",
        "Eve;Blanc;eve@partenaire.example;;peut-être;non;non;non;non;non",
        "Fred;Noir;fred@partenaire.example;01 23 45 67 89;oui;non;non;non;non;non",
        "Gil;Vert;gil@partenaire.example;;non;non;non;non;non;non",
        ";Sans;sans@partenaire.example;;oui;non;non;non;non;non",
    ).encode()

    response = upload(admin_client, admin.company_id, content)

    assert response.status_code == 200
    lines = response.context["refused_lines"]
    assert sorted(lines) == [3, 5, 6, 7, 8, 9, 10, 11]
    assert "adresse e-mail valide" in lines[3]
    assert "ligne 2" in lines[5]
    assert "fait déjà partie de l’équipe" in lines[6]
    assert "déjà en cours" in lines[7]
    assert "« peut-être » dans la colonne Documents" in lines[8]
    assert "mobile" in lines[9]
    assert "Aucun droit" in lines[10]
    assert "Indiquez le prénom" in lines[11]
    assert "8 lignes du fichier ne peuvent pas être invitées" in response.text
    assert not InvitationBatch.objects.filter(company=admin.company).exists()
    assert list(
        Invitation.objects.filter(company=admin.company).values_list("email", flat=True)
    ) == ["deja@partenaire.example"]


def test_a_right_the_companys_contracts_do_not_allow_is_refused_on_its_line(other_admin):
    content = csv_file(person(1), person(2, rights="oui;non;non;non;non;oui"))

    with pytest.raises(InvitationBatchFileRefused) as refused:
        from_file(other_admin, content)

    assert list(refused.value.lines) == [3]
    assert "ne peut pas être accordé" in refused.value.lines[3]
    assert not Invitation.objects.filter(company=other_admin.company).exists()


def test_an_unknown_right_column_is_refused_on_the_first_line(admin):
    content = csv_file(
        "Ana;Durand;ana@partenaire.example;oui", header="Prénom;Nom;E-mail;Virements"
    )

    with pytest.raises(InvitationBatchFileRefused) as refused:
        from_file(admin, content)

    assert list(refused.value.lines) == [1]
    assert "Colonne inconnue : « Virements »" in refused.value.message


def test_a_windows_1252_file_keeps_its_accents(admin):
    content = csv_file("Éloïse;Lefèvre-Cœur;eloise@partenaire.example;06 12 34 56 78;oui;;;x;;")

    batch = from_file(admin, content, encoding="cp1252")

    [invitation] = Invitation.objects.filter(batch=batch)
    assert (invitation.first_name, invitation.last_name) == ("Éloïse", "Lefèvre-Cœur")
    assert invitation.mobile == "+33612345678"
    assert invitation.rights == [Right.DOCUMENTS, Right.TREASURY]


def test_a_utf8_file_with_a_bom_and_commas_is_read(admin):
    content = csv_file(
        "Zoé,Ñúñez,zoe@partenaire.example,,1,0,0,0,0,0",
        '"Jean, Paul",Durand,jp@partenaire.example,,non,non,oui,non,non,non',
        sep=",",
    )

    batch = from_file(admin, "\ufeff" + content)

    members = {i.email: i for i in Invitation.objects.filter(batch=batch)}
    assert members["zoe@partenaire.example"].last_name == "Ñúñez"
    assert members["jp@partenaire.example"].first_name == "Jean, Paul"
    assert members["jp@partenaire.example"].rights == [Right.COMPANY_REQUESTS]


def test_a_file_without_right_columns_takes_the_rights_ticked_for_everyone(admin):
    content = csv_file(
        "Ana;Durand;ana@partenaire.example",
        "Bob;Martin;bob@partenaire.example",
        header="Prénom;Nom;E-mail",
    )

    batch = from_file(admin, content, rights=[Right.TREASURY, Right.DOCUMENTS])

    assert {tuple(i.rights) for i in Invitation.objects.filter(batch=batch)} == {
        (Right.DOCUMENTS, Right.TREASURY)
    }


def test_rights_both_in_the_file_and_ticked_are_refused(admin):
    with pytest.raises(InvitationRefused) as refused:
        from_file(admin, csv_file(person(1)), rights=[Right.DOCUMENTS])

    assert refused.value.field == "rights"
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_a_formula_or_html_in_a_name_is_kept_as_text_and_escaped(admin, admin_client):
    content = csv_file(
        '"=HYPERLINK(""http://x.example"")";<b>Gras</b>;f@partenaire.example;;oui;;;;;',
        "+33;@moi;g@partenaire.example;;oui;;;;;",
    ).encode()

    upload(admin_client, admin.company_id, content)

    batch = InvitationBatch.objects.get(company=admin.company)
    names = {i.email: (i.first_name, i.last_name) for i in Invitation.objects.filter(batch=batch)}
    assert names == {
        "f@partenaire.example": ('=HYPERLINK("http://x.example")', "<b>Gras</b>"),
        "g@partenaire.example": ("+33", "@moi"),
    }
    page = admin_client.get(sign_url(batch))
    assert "<b>Gras</b>" not in page.text
    assert "&lt;b&gt;Gras&lt;/b&gt;" in page.text


def test_a_five_hundred_and_first_person_refuses_the_file(admin):
    content = csv_file(*(person(n) for n in range(501)))

    with pytest.raises(InvitationBatchFileRefused) as refused:
        from_file(admin, content)

    assert "plus de 500 personnes (ligne 502)" in refused.value.message
    assert list(refused.value.lines) == [502]
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_a_file_too_large_is_refused_with_a_clear_message(admin, admin_client):
    content = (csv_file(person(1)) + "#" + "x" * BATCH_FILE_MAX_BYTES).encode()

    response = upload(admin_client, admin.company_id, content)

    assert response.status_code == 200
    assert "dépasse 1 Mo" in response.text
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_a_file_that_is_not_text_is_refused(admin, admin_client):
    response = upload(admin_client, admin.company_id, b"%PDF-1.7\x81\x8d\x8f\x90\x9d")

    assert response.status_code == 200
    assert "ni UTF-8 ni Windows-1252" in response.text


def test_each_persons_own_rights_are_in_the_digest(admin):
    batch = from_file(admin, csv_file(person(1, rights="oui;non;non;non;non;non"), person(2)))
    request_batch_code(batch, admin)
    code = last_code()
    payload = services.batch_signature_payload(
        batch, list(Invitation.objects.filter(batch=batch)), signer=admin.user
    )
    assert [p["rights"] for p in payload["invitees"]] == [
        [Right.DOCUMENTS],
        [Right.DOCUMENTS, Right.TREASURY],
    ]
    Invitation.objects.filter(batch=batch, email="personne1@partenaire.example").update(
        rights=[Right.DOCUMENTS, Right.TREASURY]
    )

    with pytest.raises(SignatureError):
        sign_batch(batch, admin, code=code)

    assert not AccessAuthorisation.objects.filter(company=admin.company).exists()


def test_the_signature_page_states_each_persons_rights(admin, admin_client):
    batch = from_file(admin, csv_file(person(1, rights="non;non;non;non;oui;non"), person(2)))

    page = admin_client.get(sign_url(batch))

    assert "2 personnes" in page.text
    assert "Effectuer un changement de RIB" in page.context["statement"]
    assert "Accéder au service Suivi de trésorerie" in page.context["statement"]


def test_the_daily_ceiling_applies_to_the_whole_file(admin, settings):
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 3
    create(admin, email="deja@partenaire.example")

    with pytest.raises(InvitationRefused) as refused:
        from_file(admin, csv_file(*(person(n) for n in range(3))))

    assert "vous pouvez encore en inviter 2" in refused.value.message
    assert not InvitationBatch.objects.filter(company=admin.company).exists()


def test_the_template_file_is_a_french_csv_with_its_titles(admin_client, admin):
    response = admin_client.get(reverse("invitations:batch_file_template", args=[admin.company_id]))

    text = response.content.decode("utf-8")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert text.startswith("\ufeffPrénom;Nom;E-mail;Mobile;Documents;Gestion des fonds")
    filled = text.replace("# Léa", "Léa", 1)
    [row] = batch_file_read(filled.encode()).rows
    assert (row.email, row.rights, row.problems) == ("lea.martin@exemple.fr", ("documents",), ())


def test_the_upload_page_is_for_the_companys_administrators(
    admin, admin_client, collaborator_with, client_for, other_admin
):
    collaborator = collaborator_with(Right.DOCUMENTS)

    assert admin_client.get(upload_url(admin.company_id)).status_code == 200
    assert client_for(collaborator.user).get(upload_url(admin.company_id)).status_code == 403
    assert admin_client.get(upload_url(other_admin.company_id)).status_code == 404


@given(content=st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_with_a_message(content):
    try:
        read = batch_file_read(content)
    except BatchFileUnreadable as refused:
        assert refused.message
    else:
        assert all(row.line >= 2 for row in read.rows)


@given(cells=st.lists(st.lists(st.text(max_size=30), max_size=12), min_size=1, max_size=20))
def test_any_cells_under_the_titles_are_read_or_refused_with_a_message(cells):
    content = csv_file(*(";".join(row) for row in cells))
    try:
        read = batch_file_read(content.encode())
    except BatchFileUnreadable as refused:
        assert refused.message
    else:
        lines = [row.line for row in read.rows]
        assert lines == sorted(set(lines)) and lines[0] >= 2
