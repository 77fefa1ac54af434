"""The review's pages: administrators only, the banner on company pages, the draft saved page by
page, the summary signed with a code, the signed PDF for the administrators and support."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from companies.models import Company, Membership, Role
from permissions.catalogue import Right
from permissions.models import Grant
from reviews.models import AccessReview, Decision, ReviewDecision, ReviewStatus
from reviews.services import review_pdf_file
from tests.admin.forms import company_form
from tests.factories import UserFactory
from tests.login import last_code
from tests.reviews.factories import decide, open_review, request_code, sign

pytestmark = pytest.mark.django_db


def review_url(company: Company) -> str:
    return reverse("reviews:review", args=[company.pk])


def make_due(company: Company, *, days_ago: int = 3) -> datetime.date:
    due_on = timezone.localdate() - datetime.timedelta(days=days_ago)
    Company.objects.filter(pk=company.pk).update(access_review_due_on=due_on)
    return due_on


def build_team(company: Company, size: int) -> list[Membership]:
    users = User.objects.bulk_create(
        [
            User(email=f"membre{n:04d}@equipe.example", first_name="Zoé", last_name=f"N{n:04d}")
            for n in range(size)
        ]
    )
    members = Membership.objects.bulk_create(
        [Membership(user=user, company=company, role=Role.COLLABORATOR) for user in users]
    )
    Grant.objects.bulk_create(
        [Grant(membership=m, right=Right.DOCUMENTS) for m in members]
        + [
            Grant(membership=m, right=Right.TREASURY, ends_on=datetime.date(2027, 3, 31))
            for m in members[::10]
        ]
    )
    return members


def test_an_administrator_sees_the_banner_on_company_pages_once_the_review_is_due(
    admin_client, admin
):
    make_due(admin.company)
    date = (timezone.localdate() - datetime.timedelta(days=3)).strftime("%d/%m/%Y")

    for url in (
        reverse("portal:company_home", args=[admin.company.pk]),
        reverse("teams:team", args=[admin.company.pk]),
        reverse("audit:journal", args=[admin.company.pk]),
    ):
        response = admin_client.get(url)
        assert f"La revue périodique des accès est due depuis le {date}" in response.text, url
        assert f'href="{review_url(admin.company)}"' in response.text


def test_no_banner_before_the_due_date_nor_for_a_collaborator(
    admin_client, admin, client_for, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)
    Company.objects.filter(pk=admin.company.pk).update(
        access_review_due_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    home = reverse("portal:company_home", args=[admin.company.pk])
    assert "est due depuis" not in admin_client.get(home).text

    make_due(admin.company)
    assert "est due depuis" not in client_for(member.user).get(home).text


def test_the_banner_adds_no_query_to_a_company_page(admin_client, admin):
    home = reverse("teams:team", args=[admin.company.pk])
    admin_client.get(home)
    with CaptureQueriesContext(connection) as before:
        admin_client.get(home)
    make_due(admin.company)

    with CaptureQueriesContext(connection) as after:
        response = admin_client.get(home)

    assert "est due depuis" in response.text
    assert len(after) == len(before)


def test_the_banner_is_not_shown_on_the_review_pages_themselves(admin_client, admin):
    make_due(admin.company)
    review = open_review(admin)
    request_code(admin, review)
    team = reverse("teams:team", args=[admin.company.pk])
    admin_client.get(review_url(admin.company))
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(review_url(admin.company))

    assert "est due depuis" in admin_client.get(team).text
    assert page.status_code == 200 and "est due depuis" not in page.text
    sign_page = admin_client.get(reverse("reviews:sign", args=[admin.company.pk, review.pk]))
    assert sign_page.status_code == 200 and "est due depuis" not in sign_page.text
    assert len(queries) <= 10


def test_mes_equipes_shows_the_next_reviews_due_date(admin_client, admin):
    Company.objects.filter(pk=admin.company.pk).update(
        access_review_due_on=datetime.date(2027, 12, 5)
    )

    response = admin_client.get(reverse("teams:team", args=[admin.company.pk]))

    assert "Prochaine revue périodique des accès : le 05/12/2027." in response.text


def test_the_review_page_opens_for_an_administrator(admin_client, admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    open_review(admin)

    response = admin_client.get(review_url(admin.company))

    assert response.status_code == 200
    assert member.user.email in response.text
    assert 'data-label="Droits"' in response.text


def test_the_review_page_refuses_a_collaborator(client_for, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    assert client_for(member.user).get(review_url(member.company)).status_code == 403


def test_another_companys_review_looks_missing(client_for, other_admin, admin):
    review = open_review(admin)
    client = client_for(other_admin.user)

    assert client.get(review_url(admin.company)).status_code == 404
    sign_url = reverse("reviews:sign", args=[other_admin.company.pk, review.pk])
    assert client.get(sign_url).status_code == 404


def test_an_administrator_can_start_a_review_before_it_is_due(admin_client, admin):
    response = admin_client.post(reverse("reviews:start", args=[admin.company.pk]))

    assert response.status_code == 302
    assert AccessReview.objects.get(company=admin.company).status == ReviewStatus.OPEN


def test_a_decision_posted_from_the_page_is_saved_as_a_draft(
    admin_client, admin, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)
    review = open_review(admin)
    url = reverse("reviews:decide", args=[admin.company.pk, review.pk, member.pk])

    response = admin_client.post(
        url, {"decision": Decision.REMOVE_RIGHTS, "rights": [Right.TREASURY], "back": "?page=1"}
    )

    assert response.status_code == 302
    assert response.url.startswith(review_url(admin.company) + "?page=1")
    decision = ReviewDecision.objects.get(review=review, membership=member)
    assert decision.removed_rights == ["treasury"]
    page = admin_client.get(review_url(admin.company)).text
    assert "1 membre modifié dans le brouillon." in page


def test_a_refused_decision_says_why_and_saves_nothing(admin_client, admin):
    review = open_review(admin)
    url = reverse("reviews:decide", args=[admin.company.pk, review.pk, admin.pk])

    response = admin_client.post(url, {"decision": Decision.REMOVE_MEMBER}, follow=True)

    assert "vous retirer vous-même" in response.text
    assert not ReviewDecision.objects.filter(review=review).exists()


def test_the_summary_is_signed_with_the_code_on_the_page(admin_client, admin, collaborator_with):
    leaves = collaborator_with(Right.TREASURY)
    review = open_review(admin)
    decide(admin, review, leaves, Decision.REMOVE_MEMBER)
    sign_url = reverse("reviews:sign", args=[admin.company.pk, review.pk])
    summary = admin_client.get(sign_url)
    assert leaves.user.email in summary.text

    admin_client.post(reverse("reviews:send_code", args=[admin.company.pk, review.pk]))
    response = admin_client.post(sign_url, {"code": last_code()})

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SIGNED
    assert not Membership.objects.filter(pk=leaves.pk).exists()


def test_the_signed_pdf_is_stored_once_and_downloadable_by_the_administrators(
    admin_client, admin, collaborator_with
):
    collaborator_with(Right.DOCUMENTS)
    review = open_review(admin)
    request_code(admin, review)
    sign(admin, review)
    url = reverse("reviews:pdf", args=[admin.company.pk, review.pk])

    first = admin_client.get(url)
    body = b"".join(first.streaming_content)
    review.refresh_from_db()
    second = admin_client.get(url)

    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF")
    assert review.pdf and len(review.pdf_sha256) == 64
    assert b"".join(second.streaming_content) == body
    assert "revue-des-acces" in first["Content-Disposition"]
    listed = admin_client.get(review_url(admin.company)).text
    assert f'href="{url}"' in listed


def test_support_downloads_the_signed_pdf_from_the_admin(admin, client):
    review = open_review(admin)
    request_code(admin, review)
    sign(admin, review)
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(staff)

    listing = client.get(reverse("admin:reviews_accessreview_changelist") + "?overdue=yes")
    response = client.get(reverse("admin:reviews_accessreview_pdf", args=[review.pk]))

    assert listing.status_code == 200
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_support_sees_an_overdue_review_in_the_admin(admin, client):
    review = open_review(admin)
    AccessReview.objects.filter(pk=review.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=45)
    )
    staff = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.get(reverse("admin:reviews_accessreview_changelist") + "?overdue=yes")

    assert response.status_code == 200
    assert "icon-yes" in response.text
    assert admin.company.name in response.text


@pytest.mark.parametrize("size", [10, 1000])
def test_the_review_page_stays_within_ten_queries(
    admin_client, admin, django_assert_max_num_queries, size
):
    members = build_team(admin.company, size)
    review = open_review(admin)
    decide(admin, review, members[1], Decision.REMOVE_MEMBER)

    with django_assert_max_num_queries(10):
        response = admin_client.get(review_url(admin.company))

    assert response.status_code == 200
    assert "jusqu’au 31/03/2027" in response.text


def test_support_sets_a_six_month_period_and_the_due_date_follows(support_client, admin):
    company = admin.company
    Company.objects.filter(pk=company.pk).update(access_review_signed_on=datetime.date(2026, 1, 10))
    company.refresh_from_db()
    data = company_form(company, {}) | {"access_review_months": 6}

    response = support_client.post(
        reverse("admin:companies_company_change", args=[company.pk]), data
    )

    assert response.status_code == 302
    company.refresh_from_db()
    assert company.access_review_months == 6
    assert company.access_review_due_on == datetime.date(2026, 7, 10)


def test_a_period_other_than_six_or_twelve_months_is_refused(support_client, admin):
    data = company_form(admin.company, {}) | {"access_review_months": 3}

    response = support_client.post(
        reverse("admin:companies_company_change", args=[admin.company.pk]), data
    )

    assert response.status_code == 200
    admin.company.refresh_from_db()
    assert admin.company.access_review_months == 12


def test_the_review_lists_fifty_members_a_page_and_searches_like_the_access_review(
    admin_client, admin
):
    build_team(admin.company, 60)
    open_review(admin)

    first = admin_client.get(review_url(admin.company)).text
    second = admin_client.get(review_url(admin.company) + "?page=2").text
    found = admin_client.get(review_url(admin.company) + "?q=N0042").text

    assert first.count('<tr id="member-') == 50
    assert second.count('<tr id="member-') == 11
    assert "Page 2 sur 2" in second
    assert found.count('<tr id="member-') == 1 and "membre0042@equipe.example" in found


def test_htmx_asks_only_for_the_members_part(admin_client, admin):
    open_review(admin)

    response = admin_client.get(review_url(admin.company), headers={"HX-Request": "true"})

    assert response.text.lstrip().startswith('<div id="review-members"')


def test_the_signed_pdf_states_each_kept_right_with_its_end_date_and_the_removals(
    admin, collaborator_with
):
    keeps = collaborator_with(Right.DOCUMENTS)
    Grant.objects.filter(membership=keeps).update(ends_on=datetime.date(2025, 6, 30))
    leaves = collaborator_with(Right.TREASURY)
    review = open_review(admin)
    decide(admin, review, leaves, Decision.REMOVE_MEMBER)
    request_code(admin, review)
    signed = sign(admin, review)

    with review_pdf_file(review=signed) as file:
        text = "\n".join(page.extract_text() for page in PdfReader(file).pages)

    assert "Revue périodique des accès — version 1" in text
    assert keeps.user.email in text and "jusqu’au 30/06/2025" in text
    assert leaves.user.email in text
    assert signed.payload_digest in text.replace("\n", "")
