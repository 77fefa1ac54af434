import pytest
from django.http import Http404

from client_requests.kinds import RequestKind
from client_requests.selectors import (
    can_see,
    company_request,
    filtered_requests,
    may_work,
    request_followers,
    requests_of_kinds,
    visible_requests,
)
from companies.models import MembershipStatus
from permissions.catalogue import Right
from tests.client_requests.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester(collaborator_with):
    return collaborator_with(Right.COMPANY_REQUESTS)


def test_the_author_sees_their_own_request_after_losing_the_right(requester):
    client_request = make_request(membership=requester)
    requester.grants.all().delete()

    assert list(visible_requests(membership=requester)) == [client_request]
    assert can_see(membership=requester, client_request=client_request)
    assert not may_work(membership=requester, client_request=client_request)


def test_a_holder_of_the_right_sees_others_requests(requester, collaborator_with):
    client_request = make_request(membership=requester)
    colleague = collaborator_with(Right.COMPANY_REQUESTS)

    assert list(visible_requests(membership=colleague)) == [client_request]
    assert can_see(membership=colleague, client_request=client_request)


def test_a_member_without_the_right_sees_nothing_of_others(requester, collaborator_with):
    client_request = make_request(membership=requester)
    outsider = collaborator_with(Right.DOCUMENTS)

    assert list(visible_requests(membership=outsider)) == []
    assert not can_see(membership=outsider, client_request=client_request)


def test_another_companys_members_see_nothing(requester, other_admin):
    make_request(membership=requester)

    assert list(visible_requests(membership=other_admin)) == []


def test_another_companys_request_is_404(requester, other_company):
    client_request = make_request(membership=requester)

    with pytest.raises(Http404):
        company_request(company=other_company, request_id=client_request.pk)


def test_requests_of_kinds_keep_to_those_kinds(requester, collaborator_with):
    both = collaborator_with(Right.COMPANY_REQUESTS, Right.FUND_OPERATIONS)
    amendment = make_request(membership=both, kind=RequestKind.PRODUCT_ACCESS)
    make_request(membership=both, kind=RequestKind.STATEMENT, details={})

    assert list(requests_of_kinds(membership=both, kinds=[RequestKind.PRODUCT_ACCESS])) == [
        amendment
    ]


def test_filtered_requests_by_status(requester):
    draft = make_request(membership=requester)
    make_request(membership=requester, submit=True)

    assert list(filtered_requests(membership=requester, status="draft")) == [draft]


def test_followers_are_the_author_and_the_holders_of_the_right(requester, collaborator_with, admin):
    client_request = make_request(membership=requester)
    colleague = collaborator_with(Right.COMPANY_REQUESTS)
    collaborator_with(Right.DOCUMENTS)
    collaborator_with(Right.COMPANY_REQUESTS, status=MembershipStatus.SUSPENDED)

    followers = request_followers(client_request=client_request)

    assert {user.pk for user in followers} == {requester.user_id, colleague.user_id, admin.user_id}
