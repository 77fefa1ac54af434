"""Simultaneous writes of the company space and of Mes équipes on PostgreSQL, from threads released
together: one open RIB change, one signed rights change, one decision of support, and a company that
keeps an administrator whatever its last two do to each other at the same instant."""

import datetime

import pytest
from django.core import mail

from client_requests.kinds import AttachmentPurpose, RequestKind, RequestStatus
from client_requests.models import Attachment, ClientRequest, StatusChange
from client_requests.services import (
    RequestRefused,
    bank_details_change_request,
    early_buyout_request,
    request_move,
)
from companies.models import Company, ContractKind, Membership, MembershipStatus, Role
from otp.models import AccessAuthorisation
from otp.services import SignatureError
from permissions.catalogue import Right
from permissions.models import Grant
from teams import services as teams
from teams.models import RightsChange
from tests.client_requests.factories import make_request, new_file
from tests.factories import MembershipFactory, UserFactory
from tests.otp.factories import last_code
from tests.private_files import stored_names
from tests.reliability.test_concurrency import (  # noqa: F401 (autouse fixtures)
    all_at_once,
    eager_tasks,
    empty_sms_outbox,
    errors,
)
from tests.teams.factories import request_change, request_code, sign

pytestmark = pytest.mark.django_db(transaction=True)

NEW_RIB = {"holder": "Atelier Durand SAS", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP"}


def company_files(company: Company) -> list[str]:
    return stored_names(f"requests/{company.pk}")


def test_two_simultaneous_rib_changes_open_one_request(collaborator_with, admin):
    filers = [admin, collaborator_with(Right.BANK_DETAILS)]
    turn = iter(filers)

    def file_one():
        return bank_details_change_request(
            membership=next(turn),
            proof_of_power=new_file("pouvoir.pdf", purpose=AttachmentPurpose.PROOF_OF_POWER),
            **NEW_RIB,
        )

    outcomes = all_at_once(2, file_one)

    assert sum(o.error is None for o in outcomes) == 1
    assert all(isinstance(e, RequestRefused) for e in errors(outcomes))
    company = admin.company
    rib_changes = ClientRequest.objects.filter(
        company=company, kind=RequestKind.BANK_DETAILS_CHANGE
    )
    assert rib_changes.open().count() == 1
    assert Attachment.objects.filter(request__company=company).count() == 1
    # the refused filing left no file behind
    assert len(company_files(company)) == 1


def test_two_simultaneous_right_codes_make_one_authorisation_and_one_grant_set(
    admin, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)
    change = request_change(admin, member, Right.DOCUMENTS, Right.BANK_DETAILS)
    request_code(admin, change)
    code = last_code()
    mail.outbox.clear()

    outcomes = all_at_once(2, lambda: sign(admin, change, code=code))

    assert sum(o.error is None for o in outcomes) == 1
    assert all(isinstance(e, teams.TeamRefused | SignatureError) for e in errors(outcomes))
    assert AccessAuthorisation.objects.filter(company=admin.company).count() == 1
    assert sorted(Grant.objects.filter(membership=member).values_list("right", flat=True)) == [
        Right.BANK_DETAILS,
        Right.DOCUMENTS,
    ]
    assert RightsChange.objects.get(pk=change.pk).status == "applied"
    assert [m.to for m in mail.outbox].count([member.user.email]) == 1


@pytest.fixture
def support():
    return UserFactory.create(is_staff=True, is_superuser=True, email="support@banque.example")


@pytest.fixture
def rib_change(collaborator_with):
    member = collaborator_with(Right.BANK_DETAILS)
    return make_request(
        membership=member,
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details=NEW_RIB,
        files=(new_file("pouvoir.pdf", purpose=AttachmentPurpose.PROOF_OF_POWER),),
        submit=True,
    )


@pytest.mark.parametrize(
    "targets",
    [
        (RequestStatus.DONE, RequestStatus.DONE),
        (RequestStatus.DONE, RequestStatus.REFUSED),
        (RequestStatus.IN_REVIEW, RequestStatus.IN_REVIEW),
    ],
    ids=["done-twice", "done-and-refused", "in-review-twice"],
)
def test_support_moving_one_request_twice_at_once_makes_one_status_change(
    rib_change, support, targets
):
    turn = iter(targets)
    mail.outbox.clear()

    outcomes = all_at_once(
        2,
        lambda: request_move(
            reason="vérifié avec le client par téléphone",
            client_request=rib_change,
            to_status=next(turn),
            comment="Décision de la banque.",
            by=support,
        ),
    )

    assert sum(o.error is None for o in outcomes) == 1
    assert all(isinstance(e, RequestRefused) for e in errors(outcomes))
    moves = StatusChange.objects.filter(request=rib_change, by_bank=True)
    assert moves.count() == 1
    assert ClientRequest.objects.get(pk=rib_change.pk).status == moves.get().to_status
    # each follower told once, of the one move
    recipients = [tuple(m.to) for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) >= 1


@pytest.fixture
def two_admins(admin):
    second = MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    return admin, second


ACTIONS = {"suspend": teams.member_suspend, "remove": teams.member_remove}


@pytest.mark.parametrize(
    "actions",
    [("suspend", "suspend"), ("remove", "remove"), ("suspend", "remove")],
    ids=["both-suspend", "both-remove", "one-suspends-one-removes"],
)
def test_the_last_two_administrators_acting_on_each_other_at_once_leave_one(two_admins, actions):
    first, second = two_admins
    plans = iter([(ACTIONS[actions[0]], first, second), (ACTIONS[actions[1]], second, first)])

    def act():
        action, actor, target = next(plans)
        return action(
            membership_id=target.pk, company=target.company, actor=actor.user, ip_address=None
        )

    outcomes = all_at_once(2, act)

    assert sum(o.error is None for o in outcomes) == 1
    assert all(isinstance(e, teams.TeamRefused) for e in errors(outcomes))
    active_admins = Membership.objects.filter(
        company=first.company, role=Role.ADMIN, status=MembershipStatus.ACTIVE
    )
    assert active_admins.count() == 1


def test_two_simultaneous_early_buyouts_of_one_contract_open_one_request(admin, collaborator_with):
    contract = admin.company.contracts.get(kind=ContractKind.CBM)
    filers = iter([admin, collaborator_with(Right.EARLY_BUYOUT)])

    outcomes = all_at_once(
        2,
        lambda: early_buyout_request(
            membership=next(filers),
            contract=contract,
            desired_date=contract.end_date - datetime.timedelta(days=30),
            proof_of_power=new_file("pouvoir.pdf", purpose=AttachmentPurpose.PROOF_OF_POWER),
        ),
    )

    assert sum(o.error is None for o in outcomes) == 1
    assert all(isinstance(e, RequestRefused) for e in errors(outcomes))
    assert ClientRequest.objects.open().filter(contract=contract).count() == 1
    assert len(company_files(admin.company)) == 1
