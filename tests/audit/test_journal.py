import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import Action, AuditEvent
from audit.sentences import SENTENCES, Kind, sentence
from audit.services import audit_record
from companies.models import Role
from permissions.catalogue import Right
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _journal(client, company, **params):
    return client.get(reverse("audit:journal", args=[company.pk]), params)


def _htmx_journal(client, company, **params):
    return client.get(reverse("audit:journal", args=[company.pk]), params, headers=HTMX)


def _rows_of(response) -> list[str]:
    content = response.content.decode()
    return [content[i : content.index("</tr>", i)] for i in _starts(content, "<tr>\n")]


def _starts(content: str, marker: str) -> list[int]:
    found, at = [], content.find(marker)
    while at != -1:
        found.append(at)
        at = content.find(marker, at + 1)
    return found


def _event(company, action=Action.MEMBER_SUSPENDED, **fields):
    fields.setdefault("occurred_at", timezone.now())
    return AuditEvent.objects.create(company=company, action=action, **fields)


def test_every_action_of_the_catalogue_has_a_sentence_in_french_and_in_english(admin):
    support = UserFactory.create(first_name="Paul", last_name="Support", is_staff=True)
    for action in Action:
        event = AuditEvent(
            occurred_at=timezone.now(),
            action=action,
            actor=support,
            company=admin.company,
            target_type="membership",
            target_repr="Camille Martin — Atelier Durand SAS",
            data={"rights": ["documents"], "reason": "vérifié par téléphone avec la cliente"},
        )
        with translation.override("fr"):
            french = sentence(event)
        with translation.override("en"):
            english = sentence(event)
        assert action.value in SENTENCES
        assert "%(" not in french and "%(" not in english
        assert french != english, action


def test_an_invitation_reads_as_a_sentence_naming_the_invitee_and_the_rights(admin):
    event = audit_record(
        action=Action.INVITATION_CREATED,
        actor=admin.user,
        company=admin.company,
        data={"rights": [Right.DOCUMENTS, Right.TREASURY]},
    )
    event.target_type, event.target_repr = "invitation", "Camille Martin <camille@example.com>"

    with translation.override("fr"):
        text = sentence(event)

    assert text == (
        "Claire Durand a invité Camille Martin avec les droits Documents et Suivi de trésorerie"
    )


def test_support_appears_as_the_bank_with_initials_and_its_reason(admin):
    agent = UserFactory.create(first_name="Sophie", last_name="Leroy", is_staff=True)
    event = AuditEvent(
        occurred_at=timezone.now(),
        action=Action.SUPPORT_MOBILE_CHANGED,
        actor=agent,
        target_type="user",
        target_repr="Claire Durand",
        data={"new": "+33 6 •• •• •• 99", "reason": "identité vérifiée en agence"},
    )

    with translation.override("fr"):
        text = sentence(event)

    assert text.startswith("Le support de la banque (S. L.) a modifié le mobile de Claire Durand")
    assert text.endswith("— motif : identité vérifiée en agence")
    assert "Sophie" not in text


def test_the_journal_shows_the_company_events_newest_first(admin, admin_client):
    _event(admin.company, Action.MEMBER_SUSPENDED, target_repr="Alice Old — X")
    _event(admin.company, Action.MEMBER_REACTIVATED, target_repr="Bob New — X")

    response = _journal(admin_client, admin.company)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Bob New") < content.index("Alice Old")


def test_another_companys_events_never_appear_even_with_a_shared_administrator(
    admin, admin_client, other_company
):
    MembershipFactory.create(user=admin.user, company=other_company, role=Role.ADMIN)
    audit_record(action=Action.MEMBER_SUSPENDED, actor=admin.user, company=other_company, data={})
    _event(other_company, Action.MEMBER_REMOVED, actor=admin.user, target_repr="Secret Autre — Y")
    _event(admin.company, Action.MEMBER_REMOVED, actor=admin.user, target_repr="Visible Ici — X")

    response = _journal(admin_client, admin.company)

    content = response.content.decode()
    assert "Visible Ici" in content
    assert "Secret Autre" not in content
    assert len(response.context["page"].events) == 1


def test_security_counters_never_appear(admin, admin_client):
    _event(admin.company, Action.CODE_WRONG, actor=admin.user, data={"failed_attempts": 4})

    response = _journal(admin_client, admin.company)

    assert response.context["page"].events == []


def test_support_changes_to_a_members_account_appear_in_their_company(admin, admin_client):
    agent = UserFactory.create(first_name="Sophie", last_name="Leroy", is_staff=True)
    audit_record(
        action=Action.SUPPORT_MOBILE_CHANGED,
        actor=agent,
        target=admin.user,
        data={"new": "+33 6 •• •• •• 99", "reason": "perte du téléphone signalée"},
    )
    stranger = UserFactory.create()
    audit_record(action=Action.SUPPORT_MOBILE_CHANGED, actor=agent, target=stranger, data={})

    response = _journal(admin_client, admin.company)

    content = response.content.decode()
    assert len(response.context["page"].events) == 1
    assert "perte du téléphone signalée" in content


def test_the_journal_is_for_administrators_only(collaborator_with, client_for, admin, other_admin):
    member = collaborator_with(Right.DOCUMENTS)

    assert _journal(client_for(member.user), admin.company).status_code == 403
    assert _journal(client_for(other_admin.user), admin.company).status_code == 404


def test_filters_by_person_kind_and_dates(admin, admin_client, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    now = timezone.now()
    _event(
        admin.company,
        Action.MEMBER_SUSPENDED,
        actor=admin.user,
        target_type="membership",
        target_id=str(member.pk),
        target_repr="Membre Cible — X",
        occurred_at=now - datetime.timedelta(days=10),
    )
    _event(admin.company, Action.REQUEST_CREATED, actor=admin.user, target_repr="Demande n° 1")

    by_person = _journal(admin_client, admin.company, person=member.pk)
    by_kind = _journal(admin_client, admin.company, kind=Kind.REQUESTS)
    today = timezone.localdate()
    by_dates = _journal(admin_client, admin.company, since=today.isoformat())

    assert [e.action for e in by_person.context["page"].events] == [Action.MEMBER_SUSPENDED]
    assert [e.action for e in by_kind.context["page"].events] == [Action.REQUEST_CREATED]
    assert [e.action for e in by_dates.context["page"].events] == [Action.REQUEST_CREATED]


def test_a_bad_date_is_said_and_nothing_breaks(admin, admin_client):
    response = _journal(admin_client, admin.company, since="pas une date", kind="inconnu")

    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_csv_holds_what_the_filters_show_with_formulas_disarmed(admin, admin_client):
    _event(admin.company, Action.MEMBER_REMOVED, actor=admin.user, target_repr="=HYPERLINK() — X")
    _event(admin.company, Action.REQUEST_CREATED, actor=admin.user, target_repr="Demande n° 7")

    response = admin_client.get(
        reverse("audit:journal_csv", args=[admin.company.pk]), {"kind": Kind.ACCESS}
    )
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode()), delimiter=";")
    )

    assert response["Content-Type"].startswith("text/csv")
    assert len(rows) == 2
    assert "Demande n° 7" not in rows[1][2]
    assert rows[1][2].startswith("Claire Durand a retiré =HYPERLINK()")


def test_a_formula_in_a_name_starts_the_cell_with_a_quote(admin, admin_client):
    admin.user.first_name = "=cmd"
    admin.user.save()
    _event(admin.company, Action.MEMBER_REMOVED, actor=admin.user, target_repr="X — Y")

    response = admin_client.get(reverse("audit:journal_csv", args=[admin.company.pk]))
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode()), delimiter=";")
    )

    assert rows[1][2].startswith("'=cmd")
    assert rows[1][3].startswith("'=cmd")


def test_the_csv_and_the_page_agree_on_a_persons_events(admin, admin_client, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    for action in (Action.MEMBER_SUSPENDED, Action.MEMBER_REACTIVATED):
        _event(
            admin.company,
            action,
            actor=admin.user,
            target_type="membership",
            target_id=str(member.pk),
            target_repr="Membre Cible — X",
        )
    _event(admin.company, Action.REQUEST_CREATED, actor=admin.user, target_repr="Demande n° 2")
    filters = {"person": member.pk}

    page = _journal(admin_client, admin.company, **filters)
    export = admin_client.get(reverse("audit:journal_csv", args=[admin.company.pk]), filters)
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode()), delimiter=";"))

    assert [text for _event, text, _ip in page.context["rows"]] == [row[2] for row in rows[1:]]


def test_supports_own_address_is_not_shown_to_the_company(admin, admin_client):
    agent = UserFactory.create(is_staff=True)
    _event(admin.company, Action.SUPPORT_MEMBERSHIP_CHANGED, actor=agent, ip_address="10.1.2.3")
    _event(admin.company, Action.MEMBER_REMOVED, actor=admin.user, ip_address="203.0.113.9")

    content = _journal(admin_client, admin.company).content.decode()

    assert "10.1.2.3" not in content
    assert "203.0.113.9" in content


def test_ten_thousand_events_keep_the_page_within_ten_queries(
    admin, admin_client, collaborator_with, django_assert_max_num_queries
):
    member = collaborator_with(Right.DOCUMENTS)
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            occurred_at=now - datetime.timedelta(seconds=i),
            action=Action.MEMBER_SUSPENDED if i % 2 else Action.REQUEST_CREATED,
            actor=admin.user,
            company=admin.company,
            target_type="membership",
            target_id=str(member.pk),
            target_repr=f"Personne {i} — X",
        )
        for i in range(10_000)
    )

    with django_assert_max_num_queries(10):
        response = _journal(admin_client, admin.company, page=3)
    with django_assert_max_num_queries(10):
        filtered = _journal(admin_client, admin.company, person=member.pk, kind=Kind.ACCESS)
    with django_assert_max_num_queries(10):
        swapped = _htmx_journal(admin_client, admin.company, page=3, kind=Kind.ACCESS)

    assert len(response.context["rows"]) == 50
    assert response.context["page"].has_next
    assert response.context["rows"][0][0].target_repr == "Personne 100 — X"
    assert {e.action for e in filtered.context["page"].events} == {Action.MEMBER_SUSPENDED}
    assert len(swapped.context["rows"]) == 50


def test_a_members_page_shows_their_timeline_and_links_to_the_journal(
    admin, admin_client, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)
    _event(
        admin.company,
        Action.MEMBER_SUSPENDED,
        actor=admin.user,
        target_type="membership",
        target_id=str(member.pk),
        target_repr=f"{member.user.get_full_name()} — X",
    )

    response = admin_client.get(reverse("teams:member", args=[admin.company.pk, member.pk]))

    content = response.content.decode()
    assert "Claire Durand a suspendu l’accès de" in content
    assert f"?person={member.pk}" in content


def test_the_menu_offers_the_journal_to_administrators(admin, admin_client):
    response = admin_client.get(reverse("portal:company_home", args=[admin.company.pk]))

    assert reverse("audit:journal", args=[admin.company.pk]) in response.content.decode()


def test_an_htmx_request_gets_the_results_only_with_the_rows_of_the_whole_page(admin, admin_client):
    for n in range(3):
        _event(admin.company, Action.MEMBER_SUSPENDED, target_repr=f"Personne {n} — X")
    _event(admin.company, Action.REQUEST_CREATED, actor=admin.user, target_repr="Demande n° 1")

    page = _journal(admin_client, admin.company, kind=Kind.ACCESS)
    swapped = _htmx_journal(admin_client, admin.company, kind=Kind.ACCESS)

    content = swapped.content.decode()
    assert content.lstrip().startswith('<div id="journal-results"')
    assert "<form" not in content and "<h1>" not in content
    assert len(_rows_of(swapped)) == 4  # the header row and three events
    assert _rows_of(swapped) == _rows_of(page)
    assert "HX-Request" in swapped["Vary"]


def test_the_filters_and_the_pages_ask_htmx_to_swap_the_results_and_follow_the_url(
    admin, admin_client
):
    AuditEvent.objects.bulk_create(
        AuditEvent(
            company=admin.company,
            action=Action.MEMBER_SUSPENDED,
            occurred_at=timezone.now() - datetime.timedelta(seconds=n),
            target_repr=f"Personne {n} — X",
        )
        for n in range(60)
    )

    page = _journal(admin_client, admin.company, kind=Kind.ACCESS).content.decode()
    second = _htmx_journal(admin_client, admin.company, kind=Kind.ACCESS, page=2)

    start = page.index('<form method="get"')
    form = page[start : page.index(">", start)]
    assert 'method="get"' in form and 'hx-target="#journal-results"' in form
    assert 'hx-push-url="true"' in form
    assert 'hx-get="?kind=access&amp;page=2"' in page
    assert 'hx-get="?kind=access&amp;page=1"' in second.content.decode()
    assert second.context["page"].number == 2


def test_a_history_restore_gets_the_whole_page(admin, admin_client):
    response = admin_client.get(
        reverse("audit:journal", args=[admin.company.pk]),
        headers={**HTMX, "HX-History-Restore-Request": "true"},
    )

    assert "<h1>" in response.content.decode()


def test_a_members_timeline_gathers_every_event_about_them_and_no_other_companys(
    admin, collaborator_with
):
    from audit.journal import member_timeline

    member = collaborator_with(Right.DOCUMENTS)
    elsewhere = MembershipFactory.create(user=member.user)
    now = timezone.now()

    def at(minutes_before):  # after they joined: an account event counts from that day
        return now + datetime.timedelta(minutes=10 - minutes_before)

    acted = _event(admin.company, Action.REQUEST_CREATED, actor=member.user, occurred_at=at(5))
    targeted = _event(
        admin.company,
        target_type="membership",
        target_id=str(member.pk),
        occurred_at=at(4),
    )
    account = AuditEvent.objects.create(
        action=Action.SUPPORT_MOBILE_CHANGED,
        target_type="user",
        target_id=str(member.user_id),
        occurred_at=at(3),
    )
    invited = _event(
        admin.company,
        Action.INVITATION_CREATED,
        target_type="invitation",
        target_repr=f"Camille Martin <{member.user.email.upper()}>",
        occurred_at=at(6),
    )
    _event(elsewhere.company, Action.REQUEST_CREATED, actor=member.user, occurred_at=at(1))
    _event(admin.company, Action.REQUEST_CREATED, actor=admin.user, occurred_at=at(2))

    timeline = member_timeline(company=admin.company, membership=member)

    assert timeline == [account, targeted, acted, invited]


def test_a_members_timeline_keeps_the_eight_latest_events(admin, collaborator_with):
    from audit.journal import TIMELINE_SIZE, member_timeline

    member = collaborator_with(Right.DOCUMENTS)
    now = timezone.now()
    events = [
        _event(
            admin.company,
            Action.REQUEST_CREATED,
            actor=member.user,
            occurred_at=now - datetime.timedelta(minutes=n),
        )
        for n in range(TIMELINE_SIZE + 3)
    ]

    assert member_timeline(company=admin.company, membership=member) == events[:TIMELINE_SIZE]
