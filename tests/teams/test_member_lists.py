"""Mes équipes and the access review among many members: search, filters, sort, pages, counts,
htmx fragments, the streamed export and a bounded number of queries at 10 and 1,000 members."""

import datetime
import re

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.search import search_words
from audit.models import Action, AuditEvent
from companies.models import Membership, MembershipStatus, Role
from invitations.models import InvitationStatus
from permissions.catalogue import Right
from permissions.models import Grant
from teams.models import RightsChange, RightsChangeStatus
from tests.factories import GrantFactory, MembershipFactory, UserFactory
from tests.invitations.factories import InvitationFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NBSP = "\xa0"


def team_url(company):
    return reverse("teams:team", args=[company.pk])


def review_url(company):
    return reverse("teams:access_review", args=[company.pk])


def csv_url(company):
    return reverse("teams:access_review_csv", args=[company.pk])


def member_url(member):
    return reverse("teams:member", args=[member.company_id, member.pk])


def listed(response) -> list[str]:
    """The members' names in the order the page lists them (links to their page)."""
    return re.findall(r'<th scope="row">\s*<a href="[^"]+">([^<]+)</a>', response.text)


def named(company, first_name, last_name, *rights, email=None, **fields) -> Membership:
    user = UserFactory.create(
        first_name=first_name, last_name=last_name, **({"email": email} if email else {})
    )
    member = MembershipFactory.create(
        company=company, user=user, role=fields.pop("role", Role.COLLABORATOR), **fields
    )
    for right in rights:
        GrantFactory.create(membership=member, right=right)
    return member


def build_team(company, size: int, *, other_company=None) -> None:
    """`size` collaborators in bulk (a few queries): names, statuses, rights and activity vary."""
    now = timezone.now()
    users = User.objects.bulk_create(
        [
            User(
                email=f"membre{n:04d}@equipe.example",
                first_name=("Hélène", "Marc", "Zoé", "Loïc")[n % 4],
                last_name=f"Équipier{n:04d}",
                last_login=None if n % 5 == 0 else now - datetime.timedelta(hours=n),
            )
            for n in range(size)
        ]
    )
    members = Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                company=company,
                role=Role.COLLABORATOR,
                status=MembershipStatus.SUSPENDED if n % 7 == 0 else MembershipStatus.ACTIVE,
            )
            for n, user in enumerate(users)
        ]
    )
    Grant.objects.bulk_create(
        [Grant(membership=member, right=Right.DOCUMENTS) for member in members]
        + [Grant(membership=m, right=Right.BANK_DETAILS) for m in members[::10]]
    )
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(occurred_at=now, action=Action.LOGIN, actor=user, company=company)
            for user in users[::3]
        ]
    )
    RightsChange.objects.bulk_create(
        [
            RightsChange(
                membership=member,
                requested_by=member.user,
                rights=[Right.DOCUMENTS.value],
                previous_rights=[],
                status=RightsChangeStatus.APPLIED,
                created_at=now,
                applied_at=now,
            )
            for member in members[::4]
        ]
    )


@pytest.fixture
def hélène(company):
    return named(
        company, "Hélène", "Lefèvre", Right.DOCUMENTS, email="h.lefevre@partenaire.example"
    )


@pytest.fixture
def marc(company):
    return named(
        company,
        "Marc",
        "Dupont",
        Right.TREASURY,
        Right.BANK_DETAILS,
        email="marc.dupont@cabinet-comptable.example",
        status=MembershipStatus.SUSPENDED,
    )


# search


@pytest.mark.parametrize("query", ["helene", "HÉLÈNE", "Hélène", "lefevre helene", "lefèv"])
def test_search_finds_a_name_whatever_the_accents_and_the_case(
    admin_client, admin, hélène, marc, query
):
    response = admin_client.get(team_url(admin.company), {"q": query})

    assert listed(response) == ["Hélène Lefèvre"]


def test_search_finds_a_piece_of_an_email(admin_client, admin, hélène, marc):
    response = admin_client.get(review_url(admin.company), {"q": "cabinet-compt"})

    assert listed(response) == ["Marc Dupont"]


def test_search_also_finds_open_invitations(admin_client, admin, hélène):
    InvitationFactory.create(
        company=admin.company,
        invited_by=admin.user,
        first_name="Hélène",
        last_name="Ségur",
        email="segur@partenaire.example",
    )
    InvitationFactory.create(
        company=admin.company, invited_by=admin.user, email="autre@partenaire.example"
    )

    response = admin_client.get(team_url(admin.company), {"q": "helene"})

    assert "segur@partenaire.example" in response.text
    assert "autre@partenaire.example" not in response.text


def test_a_search_that_finds_nobody_says_so(admin_client, admin, hélène):
    response = admin_client.get(team_url(admin.company), {"q": "personne"})

    assert response.status_code == 200
    assert listed(response) == []
    assert "Aucun membre ne correspond à cette recherche." in response.text
    assert "Aucune invitation en cours ne correspond à cette recherche." in response.text
    assert "0 résultat" in response.text


def test_the_search_is_indexed_with_trigrams_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'portal_user_search_trgm'"
        )
        (definition,) = cursor.fetchone()

    assert "gin" in definition
    assert "portal_search_text((first_name)::text, (last_name)::text, (email)::text)" in definition
    assert "gin_trgm_ops" in definition


def test_the_search_never_shows_another_companys_members(admin_client, admin, other_admin):
    other_admin.user.first_name = "Hélène"
    other_admin.user.save()

    response = admin_client.get(team_url(admin.company), {"q": "helene"})

    assert other_admin.user.email not in response.text


# filters and sort


def test_filters_by_role(admin_client, admin, hélène):
    response = admin_client.get(review_url(admin.company), {"role": "admin"})

    assert listed(response) == ["Claire Durand"]


def test_filters_by_status(admin_client, admin, hélène, marc):
    response = admin_client.get(team_url(admin.company), {"status": "suspended"})

    assert listed(response) == ["Marc Dupont"]


def test_filters_by_a_right_an_administrator_holds_it_too(admin_client, admin, hélène, marc):
    response = admin_client.get(review_url(admin.company), {"right": "treasury"})

    assert listed(response) == ["Claire Durand", "Marc Dupont"]


def test_an_administrator_does_not_hold_a_right_the_company_cannot_grant(client_for, other_admin):
    # no CLUB contract: nobody there can hold the fund operations
    response = client_for(other_admin.user).get(
        review_url(other_admin.company), {"right": "fund_operations"}
    )

    assert listed(response) == []


def test_filters_the_rights_that_move_money(admin_client, admin, hélène, marc):
    response = admin_client.get(team_url(admin.company), {"money": "on", "role": "collaborator"})

    assert listed(response) == ["Marc Dupont"]


def test_the_fund_operations_count_among_the_rights_that_move_money(
    admin_client, admin, hélène, marc, company
):
    named(company, "Paul", "Bernard", Right.FUND_OPERATIONS, email="p.bernard@partenaire.example")

    response = admin_client.get(review_url(admin.company), {"money": "on", "role": "collaborator"})

    assert sorted(listed(response)) == ["Marc Dupont", "Paul Bernard"]


def test_filters_combine_with_the_search(admin_client, admin, hélène, marc):
    response = admin_client.get(review_url(admin.company), {"q": "dupont", "right": "documents"})

    assert listed(response) == []


def test_sorts_by_name_both_ways(admin_client, admin, hélène, marc):
    ascending = admin_client.get(team_url(admin.company), {"sort": "name"})
    descending = admin_client.get(team_url(admin.company), {"sort": "-name"})

    assert listed(ascending) == ["Marc Dupont", "Claire Durand", "Hélène Lefèvre"]
    assert listed(descending) == ["Hélène Lefèvre", "Claire Durand", "Marc Dupont"]


def test_sorts_by_member_since_and_by_last_login(admin_client, admin, hélène, marc):
    Membership.objects.filter(pk=marc.pk).update(
        created_at=datetime.datetime(2020, 1, 1, tzinfo=UTC)
    )
    User.objects.filter(pk=hélène.user_id).update(
        last_login=datetime.datetime(2030, 1, 1, tzinfo=UTC)
    )
    User.objects.filter(pk=marc.user_id).update(last_login=None)

    oldest_first = admin_client.get(team_url(admin.company), {"sort": "since"})
    latest_login = admin_client.get(review_url(admin.company), {"sort": "-login"})

    assert listed(oldest_first)[0] == "Marc Dupont"
    assert listed(latest_login)[0] == "Hélène Lefèvre"
    assert listed(latest_login)[-1] == "Marc Dupont"  # never logged in: last


@pytest.mark.parametrize(
    "crafted",
    [
        {"sort": "user__password"},
        {"sort": "-pk;DROP TABLE"},
        {"role": "superuser"},
        {"status": "x" * 500},
        {"right": "all"},
        {"money": "peut-être"},
        {"q": "x" * 5000},
        {"q": "%_\\'\""},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999999999999999999999"},
        {"page": "2.5"},
        {"invitations_page": "NaN"},
    ],
)
def test_a_crafted_value_is_ignored_without_an_error(admin_client, admin, hélène, crafted):
    team = admin_client.get(team_url(admin.company), crafted)
    review = admin_client.get(review_url(admin.company), crafted)
    export = admin_client.get(csv_url(admin.company), crafted)

    assert team.status_code == review.status_code == export.status_code == 200
    b"".join(export.streaming_content)


def test_the_form_works_without_javascript_and_follows_with_htmx(admin_client, admin):
    response = admin_client.get(team_url(admin.company), {"q": "dur", "role": "admin"})

    form = response.text[response.text.index('role="search"') - 200 :]
    assert 'method="get"' in form
    assert f'action="{team_url(admin.company)}"' in form
    assert 'hx-push-url="true"' in form
    assert 'hx-trigger="input delay:400ms, submit"' in form
    assert 'name="q" value="dur"' in response.text
    assert '<option value="admin" selected>' in response.text


# pages


def test_pages_hold_fifty_members_and_link_to_the_next_keeping_the_filters(admin_client, admin):
    build_team(admin.company, 120)

    first = admin_client.get(review_url(admin.company), {"q": "equipier", "sort": "name"})
    last = admin_client.get(review_url(admin.company), {"q": "equipier", "sort": "name", "page": 3})

    assert len(listed(first)) == 50
    assert listed(first)[0] == "Hélène Équipier0000"
    assert "Page 1 sur 3" in first.text
    assert 'href="?q=equipier&amp;sort=name&amp;page=2"' in first.text
    assert len(listed(last)) == 20
    assert listed(last)[-1] == "Loïc Équipier0119"
    assert "Page suivante" not in last.text


@pytest.mark.parametrize("sort", ["", "name", "-name", "since", "-since", "login", "-login"])
def test_a_page_past_the_last_shows_the_last(
    admin_client, admin, django_assert_max_num_queries, sort
):
    build_team(admin.company, 60)
    last = admin_client.get(team_url(admin.company), {"sort": sort, "page": 2})

    with django_assert_max_num_queries(10):
        past = admin_client.get(team_url(admin.company), {"sort": sort, "page": 40})

    assert "Page 2 sur 2" in past.text
    assert len(listed(past)) == 11
    assert listed(past) == listed(last)


def test_a_page_past_the_last_of_a_full_last_page(admin_client, admin):
    build_team(admin.company, 99)  # with the administrator: two full pages

    response = admin_client.get(review_url(admin.company), {"sort": "name", "page": 9})

    assert "Page 2 sur 2" in response.text
    assert listed(response)[0] == "Marc Équipier0049"
    assert len(listed(response)) == 50


def test_open_invitations_have_pages_of_their_own(admin_client, admin):
    for n in range(55):
        InvitationFactory.create(
            company=admin.company, invited_by=admin.user, email=f"invite{n:02d}@partenaire.example"
        )

    first = admin_client.get(team_url(admin.company))
    second = admin_client.get(team_url(admin.company), {"invitations_page": 2})

    assert first.text.count("@partenaire.example</span>") == 50
    assert second.text.count("@partenaire.example</span>") == 5
    assert 'href="?invitations_page=2"' in first.text


# counts


def test_the_page_says_how_many_members_invitations_and_results(admin_client, admin, hélène):
    build_team(admin.company, 998)
    for n in range(12):
        InvitationFactory.create(
            company=admin.company, invited_by=admin.user, email=f"invite{n:02d}@partenaire.example"
        )
    InvitationFactory.create(
        company=admin.company,
        invited_by=admin.user,
        email="closed@partenaire.example",
        status=InvitationStatus.REVOKED,
    )

    everyone = admin_client.get(team_url(admin.company))
    found = admin_client.get(team_url(admin.company), {"q": "équipier001"})
    review = admin_client.get(review_url(admin.company), {"q": "équipier001"})

    assert f"1{NBSP}000 membres · 12 invitations en cours</p>" in everyone.text
    assert f"1{NBSP}000 membres · 12 invitations en cours · 10 résultats</p>" in found.text
    assert f"1{NBSP}000 membres · 10 résultats</p>" in review.text


def test_the_counts_read_in_english(client_for, admin, hélène):
    client = client_for(admin.user)
    client.cookies["django_language"] = "en"

    response = client.get(team_url(admin.company), {"q": "helene"})

    assert "2 members · 0 pending invitations · 1 result</p>" in response.text
    assert "Search a name or an email address" in response.text


def test_one_result_is_singular_in_french(admin_client, admin, hélène):
    response = admin_client.get(review_url(admin.company), {"q": "helene"})

    assert "2 membres · 1 résultat</p>" in response.text


# htmx


def test_htmx_gets_only_the_results_of_mes_equipes(admin_client, admin, hélène):
    response = admin_client.get(
        team_url(admin.company), {"q": "helene"}, headers={"HX-Request": "true"}
    )

    assert response.text.lstrip().startswith('<div id="team-results"')
    assert "<html" not in response.text
    assert 'role="search"' not in response.text
    assert listed(response) == ["Hélène Lefèvre"]
    assert 'id="invitation-table"' in response.text
    assert "HX-Request" in response["Vary"]


def test_htmx_gets_only_the_results_of_the_review(admin_client, admin, hélène):
    response = admin_client.get(
        review_url(admin.company), {"q": "helene"}, headers={"HX-Request": "true"}
    )

    assert response.text.lstrip().startswith('<div id="review-results"')
    assert "<html" not in response.text
    assert listed(response) == ["Hélène Lefèvre"]
    assert f'href="{csv_url(admin.company)}?q=helene"' in response.text
    assert "Retirer tous les droits" in response.text


# every cell says its column, for the phone layout


def test_every_cell_of_the_tables_carries_its_column_label(admin_client, admin, hélène):
    InvitationFactory.create(company=admin.company, invited_by=admin.user)

    for url in (team_url(admin.company), review_url(admin.company)):
        html = admin_client.get(url).text
        tbodies = re.findall(r"<tbody>(.*?)</tbody>", html, re.DOTALL)
        cells = [cell for body in tbodies for cell in re.findall(r"<td[^>]*>", body)]
        assert cells
        assert all('data-label="' in cell for cell in cells), url
    review = admin_client.get(review_url(admin.company)).text
    assert 'data-label="Changement de RIB"' in review
    assert 'data-label="Dernière connexion"' in review


# the export


def csv_lines(response) -> list[str]:
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8-sig").split("\r\n")[1:-1]


def test_the_export_streams_every_member_not_just_a_page(admin_client, admin, other_admin):
    build_team(admin.company, 120)

    response = admin_client.get(csv_url(admin.company))
    lines = csv_lines(response)

    assert len(lines) == 121
    assert not any(other_admin.user.email in line for line in lines)
    assert AuditEvent.objects.get(action=Action.DOCUMENT_DOWNLOADED).data == {
        "export": "access_review",
        "members": 121,
    }


def test_the_export_applies_the_filters_and_records_them(admin_client, admin, hélène, marc):
    response = admin_client.get(csv_url(admin.company), {"q": "dupont", "money": "on"})
    lines = csv_lines(response)

    assert len(lines) == 1
    assert lines[0].startswith("Marc Dupont;marc.dupont@cabinet-comptable.example;")
    assert AuditEvent.objects.get(action=Action.DOCUMENT_DOWNLOADED).data == {
        "export": "access_review",
        "members": 1,
        "filters": {"query": "dupont", "moves_money": True},
    }


def test_the_export_keeps_formulas_from_running(admin_client, admin):
    named(admin.company, "=1+1", "@SUM(A1)", email="+33@partenaire.example")

    lines = csv_lines(admin_client.get(csv_url(admin.company), {"q": "partenaire"}))

    assert lines == [
        "'=1+1 @SUM(A1);'+33@partenaire.example;Collaborateur;Actif;Non;Non;Non;Non;Non;Non;Non;;;"
    ]


def test_the_page_links_to_the_export_of_what_it_shows(admin_client, admin):
    response = admin_client.get(review_url(admin.company), {"role": "admin", "page": "1"})

    assert f'href="{csv_url(admin.company)}?role=admin"' in response.text
    assert "Exporter ces résultats (CSV)" in response.text


# queries


@pytest.mark.parametrize("size", [10, 1000])
def test_the_team_pages_make_at_most_ten_queries_at_any_size(
    admin_client, admin, django_assert_max_num_queries, size
):
    build_team(admin.company, size)
    for n in range(3):
        InvitationFactory.create(
            company=admin.company, invited_by=admin.user, email=f"invite{n}@partenaire.example"
        )
    member = Membership.objects.filter(company=admin.company, role=Role.COLLABORATOR).first()

    with django_assert_max_num_queries(10):
        team = admin_client.get(team_url(admin.company))
    with django_assert_max_num_queries(10):
        searched = admin_client.get(team_url(admin.company), {"q": "helene", "right": "documents"})
    with django_assert_max_num_queries(10):
        review = admin_client.get(review_url(admin.company), {"sort": "-login", "money": "on"})
    with django_assert_max_num_queries(10):
        page = admin_client.get(member_url(member))
    with django_assert_max_num_queries(10):
        export = admin_client.get(csv_url(admin.company))
        lines = csv_lines(export)

    assert team.status_code == searched.status_code == review.status_code == page.status_code
    assert len(listed(team)) == min(size + 1, 50)
    assert len(lines) == size + 1


def test_an_empty_search_stays_within_ten_queries(
    admin_client, admin, django_assert_max_num_queries
):
    build_team(admin.company, 30)

    with django_assert_max_num_queries(10):
        response = admin_client.get(team_url(admin.company), {"q": "personne"})

    assert "Aucun membre ne correspond à cette recherche." in response.text


def test_a_history_restore_gets_the_whole_page(admin_client, admin, hélène):
    response = admin_client.get(
        team_url(admin.company),
        {"q": "helene"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.text
    assert listed(response) == ["Hélène Lefèvre"]


def test_search_words_are_lower_case_without_accents():
    assert search_words("  Hélène  LEFÈVRE Œuvre Müller ") == [
        "helene",
        "lefevre",
        "oeuvre",
        "muller",
    ]
    assert search_words("x" * 500) == ["x" * 100]
    assert len(search_words("a b c d e f g h")) == 5


def test_sqlite_gets_the_same_search_function_as_postgresql():
    sqlite = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    )["default"]
    try:
        with sqlite.cursor() as cursor:
            cursor.execute("SELECT portal_search_text('Hélène', 'Lefèvre', 'H.Lef@Exemple.FR')")
            (text,) = cursor.fetchone()
    finally:
        sqlite.close()

    assert text == "helene lefevre h.lef@exemple.fr"


def test_postgresql_folds_names_the_same_way():
    with connection.cursor() as cursor:
        cursor.execute("SELECT portal_search_text('Hélène', 'Lefèvre', 'H.Lef@Exemple.FR')")
        (text,) = cursor.fetchone()

    assert text == "helene lefevre h.lef@exemple.fr"


@pytest.mark.parametrize("size", [10, 1000])
def test_a_search_that_finds_only_invitations_stays_within_ten_queries(
    admin_client, admin, django_assert_max_num_queries, size
):
    build_team(admin.company, size)
    InvitationFactory.create(
        company=admin.company,
        invited_by=admin.user,
        first_name="Hélène",
        last_name="Ségur",
        email="segur@partenaire.example",
    )

    with django_assert_max_num_queries(10):
        response = admin_client.get(team_url(admin.company), {"q": "segur"})

    assert listed(response) == []
    assert "segur@partenaire.example" in response.text
