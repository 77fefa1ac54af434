"""A right that ends on a date, changed on the member's page: the end date is signed (a change of
end date alone too), shown in the statement, and written on the grant."""

import datetime

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from otp.models import AccessAuthorisation
from otp.services import SignatureError
from permissions.catalogue import Right
from permissions.end_dates import local_today
from teams import services
from teams.models import RightsChange, RightsChangeStatus
from teams.services import TeamRefused
from tests.login import log_in
from tests.otp.factories import NOW
from tests.teams.factories import request_code, sign

pytestmark = pytest.mark.django_db

END = datetime.date(2025, 3, 31)


def ask(admin, member, rights, ends_on, *, now=NOW) -> RightsChange:
    return services.rights_change_request(
        membership_id=member.pk,
        company=admin.company,
        requested_by=admin.user,
        rights=rights,
        ends_on=ends_on,
        now=now,
    )


def test_a_signed_change_writes_the_end_date_on_the_grant(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    change = ask(admin, member, [Right.DOCUMENTS, Right.TREASURY], {"treasury": END})
    request_code(admin, change)

    sign(admin, change)

    assert member.grants.get(right=Right.TREASURY).ends_on == END
    assert member.grants.get(right=Right.DOCUMENTS).ends_on is None
    authorisation = AccessAuthorisation.objects.get(company=admin.company)
    assert authorisation.ends_on == {"treasury": "2025-03-31"}
    assert "Accéder au service Suivi de trésorerie jusqu’au 31/03/2025" in authorisation.statement


def test_the_end_date_is_in_the_signed_payload(admin, collaborator_with):
    member = collaborator_with()
    change = ask(admin, member, [Right.TREASURY], {"treasury": END})

    payload = services.signature_payload(change, signer=admin.user)

    assert payload["ends_on"] == {"treasury": "2025-03-31"}


def test_an_end_date_changed_after_the_code_was_sent_makes_the_code_refused(
    admin, collaborator_with
):
    member = collaborator_with()
    change = ask(admin, member, [Right.TREASURY], {"treasury": END})
    request_code(admin, change)
    RightsChange.objects.filter(pk=change.pk).update(ends_on={"treasury": "2025-12-31"})

    with pytest.raises(SignatureError):
        sign(admin, change)

    assert not member.grants.exists()
    change.refresh_from_db()
    assert change.status == RightsChangeStatus.AWAITING_SIGNATURE


def test_changing_only_an_end_date_is_a_change_to_sign(admin, collaborator_with):
    member = collaborator_with(Right.TREASURY)
    member.grants.update(ends_on=END)

    change = ask(admin, member, [Right.TREASURY], {"treasury": datetime.date(2025, 9, 30)})

    assert change.awaits_signature
    assert change.extended == ["treasury"]
    assert change.previous_ends_on == {"treasury": "2025-03-31"}
    assert member.grants.get().ends_on == END  # nothing changes before the signature


def test_an_extension_signed_moves_the_end_date_and_says_so_in_the_statement(
    admin, collaborator_with
):
    member = collaborator_with(Right.TREASURY)
    member.grants.update(ends_on=END)
    change = ask(admin, member, [Right.TREASURY], {"treasury": datetime.date(2025, 9, 30)})
    request_code(admin, change)

    sign(admin, change)

    assert member.grants.get().ends_on == datetime.date(2025, 9, 30)
    statement = AccessAuthorisation.objects.get(company=admin.company).statement
    assert "Dates de fin modifiées :" in statement
    assert "jusqu’au 30/09/2025" in statement


def test_lifting_an_end_date_is_signed_too(admin, collaborator_with):
    member = collaborator_with(Right.TREASURY)
    member.grants.update(ends_on=END)
    change = ask(admin, member, [Right.TREASURY], {})
    request_code(admin, change)

    sign(admin, change)

    assert member.grants.get().ends_on is None


def test_an_end_date_in_the_past_is_refused_with_a_french_message(admin, collaborator_with):
    member = collaborator_with()

    with pytest.raises(TeamRefused, match="postérieure à aujourd’hui") as refused:
        ask(admin, member, [Right.TREASURY], {"treasury": datetime.date(2025, 3, 1)})

    assert refused.value.field == "ends_on_treasury"
    assert not RightsChange.objects.filter(membership=member).exists()


def test_removing_a_right_keeps_the_end_date_of_the_others(admin, collaborator_with):
    member = collaborator_with(Right.TREASURY, Right.DOCUMENTS)
    member.grants.filter(right=Right.TREASURY).update(ends_on=END)

    services.rights_remove(
        membership_id=member.pk,
        company=admin.company,
        actor=admin.user,
        rights=[Right.TREASURY],
        ip_address=None,
        now=NOW,
    )

    assert list(member.grants.values_list("right", "ends_on")) == [("treasury", END)]


def test_the_statement_reads_in_english(admin, collaborator_with):
    member = collaborator_with()
    change = ask(admin, member, [Right.TREASURY], {"treasury": END})

    with translation.override("en"):
        statement = services.signature_statement(change, signer=admin.user)

    assert "until 31/03/2025" in statement
    assert "jusqu’au" not in statement


def test_the_team_page_and_the_member_page_show_the_end_date(client, admin, collaborator_with):
    member = collaborator_with(Right.TREASURY, Right.DOCUMENTS)
    member.grants.filter(right=Right.TREASURY).update(ends_on=datetime.date(2099, 3, 31))
    # a right whose last day has passed is not shown as held
    member.grants.filter(right=Right.DOCUMENTS).update(ends_on=datetime.date(2020, 1, 1))
    log_in(client, admin.user.email)

    team = client.get(reverse("teams:team", args=[admin.company_id])).content.decode()
    page = client.get(reverse("teams:member", args=[admin.company_id, member.pk])).content.decode()

    assert "jusqu’au 31/03/2099" in team
    assert "jusqu’au 31/03/2099" in page
    assert 'value="2099-03-31"' in page
    assert "Documents</span>" not in team.split("jusqu’au 31/03/2099")[0].rsplit("<tr", 1)[-1]


def test_the_member_page_sends_an_extension_to_its_signature(client, admin, collaborator_with):
    member = collaborator_with(Right.TREASURY)
    member.grants.update(ends_on=local_today() + datetime.timedelta(days=30))
    later = local_today() + datetime.timedelta(days=90)
    log_in(client, admin.user.email)
    data = {"rights": ["treasury"], "ends_on_treasury": later.strftime("%d/%m/%Y")}

    review = client.post(reverse("teams:rights_review", args=[admin.company_id, member.pk]), data)
    response = client.post(
        reverse("teams:rights_request", args=[admin.company_id, member.pk]), data
    )

    assert "Dates de fin modifiées" in review.content.decode()
    change = RightsChange.objects.get(membership=member)
    assert response.status_code == 302
    assert response.url == reverse(
        "teams:rights_sign", args=[admin.company_id, member.pk, change.pk]
    )
    assert change.ends_on == {"treasury": later.isoformat()}


def test_a_past_end_date_typed_on_the_member_page_is_refused_on_the_form(
    client, admin, collaborator_with
):
    member = collaborator_with(Right.TREASURY)
    log_in(client, admin.user.email)
    data = {"rights": ["treasury"], "ends_on_treasury": "01/01/2020"}

    response = client.post(reverse("teams:rights_review", args=[admin.company_id, member.pk]), data)

    assert response.status_code == 400
    assert "postérieure à aujourd’hui" in response.content.decode()
    assert not RightsChange.objects.filter(Q(membership=member)).exists()
