import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from companies.models import Company, Contract, Membership
from permissions.models import Grant

pytestmark = pytest.mark.django_db

ATELIER_SIREN = "552100554"
BOULANGERIE_SIREN = "794128637"


@pytest.fixture
def debug_on(settings):
    # The command is meant for `make run`, where DEBUG is on.
    settings.DEBUG = True


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def printed(label: str, output: str) -> str:
    match = re.search(rf"^\s*{label}:\s+(\S+)\s*$", output, re.MULTILINE)
    assert match, output
    return match.group(1)


def memberships_of(siren: str) -> set[tuple[str, str, str]]:
    return set(
        Membership.objects.filter(company__siren=siren).values_list("user__email", "role", "status")
    )


def grants_of(siren: str) -> set[tuple[str, str]]:
    return set(
        Grant.objects.filter(membership__company__siren=siren).values_list(
            "membership__user__email", "right"
        )
    )


def test_running_twice_keeps_exactly_the_demo_companies_and_contracts(debug_on):
    load_demo()
    load_demo()

    companies = Company.objects.filter(siren__in=[ATELIER_SIREN, BOULANGERIE_SIREN])
    assert set(companies.values_list("siren", "name", "has_entreprise_subscription")) == {
        (ATELIER_SIREN, "Atelier Durand SAS", True),
        (BOULANGERIE_SIREN, "Boulangerie Martin SARL", False),
    }
    assert sorted(
        Contract.objects.filter(company__siren=ATELIER_SIREN).values_list("kind", flat=True)
    ) == ["cbm", "club", "loan", "locfi"]
    assert sorted(
        Contract.objects.filter(company__siren=BOULANGERIE_SIREN).values_list("kind", flat=True)
    ) == ["cbm", "loan"]


def test_running_twice_keeps_exactly_the_demo_members_and_their_rights(debug_on):
    load_demo()
    load_demo()

    assert memberships_of(ATELIER_SIREN) == {
        ("admin@demo.example", "admin", "active"),
        ("julien.petit@demo.example", "collaborator", "active"),
        ("sophie.leroy@demo.example", "collaborator", "active"),
    }
    assert memberships_of(BOULANGERIE_SIREN) == {("admin@demo.example", "admin", "active")}
    assert grants_of(ATELIER_SIREN) == {
        ("julien.petit@demo.example", "documents"),
        ("sophie.leroy@demo.example", "documents"),
        ("sophie.leroy@demo.example", "treasury"),
        ("sophie.leroy@demo.example", "company_requests"),
    }
    assert grants_of(BOULANGERIE_SIREN) == set()


def test_a_second_run_puts_back_rights_changed_since_the_first(debug_on):
    load_demo()
    julien = Membership.objects.get(
        company__siren=ATELIER_SIREN, user__email="julien.petit@demo.example"
    )
    Grant.objects.create(membership=julien, right="bank_details")
    julien.grants.filter(right="documents").delete()

    load_demo()

    assert set(julien.grants.values_list("right", flat=True)) == {"documents"}


def test_the_administrator_logs_in_with_the_printed_password(debug_on):
    load_demo()
    output = load_demo()

    email = printed("Administrator", output)
    password = printed("Password", output)

    user = authenticate(username=email, password=password)
    assert user is not None
    assert str(user.mobile) == "+33612345642"
    assert (user.first_name, user.last_name) == ("Claire", "Durand")


def test_the_support_login_is_a_superuser_with_the_printed_password(debug_on):
    output = load_demo()

    user = authenticate(
        username=printed("Support login", output),
        password=printed("Support password", output),
    )
    assert user is not None
    assert user.is_staff
    assert user.is_superuser


def test_a_second_support_agent_approves_what_the_first_proposes(debug_on):
    output = load_demo()

    second = authenticate(
        username=printed("Second support", output),
        password=printed("Support password", output),
    )
    first = authenticate(
        username=printed("Support login", output), password=printed("Support password", output)
    )
    assert second is not None and first is not None
    assert second.is_staff and second != first


def test_prints_the_portal_admin_and_outbox_urls(debug_on):
    output = load_demo()

    assert "http://127.0.0.1:8000/" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert "http://127.0.0.1:8000/dev/outbox/" in output


def test_refuses_to_create_public_passwords_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("load_demo", stdout=StringIO())

    assert not Company.objects.filter(siren=ATELIER_SIREN).exists()


def generated_members(siren: str):
    return Membership.objects.filter(
        company__siren=siren, user__email__endswith="@membres.demo.example"
    )


def test_members_fills_the_demo_company_with_varied_people_and_is_idempotent(debug_on):
    out = StringIO()
    call_command("load_demo", "--members", "40", stdout=out)
    first = set(generated_members(ATELIER_SIREN).values_list("user__email", "role", "status"))
    call_command("load_demo", "--members", "40", stdout=StringIO())

    members = generated_members(ATELIER_SIREN)
    assert "40 generated members in Atelier Durand SAS." in out.getvalue()
    assert members.count() == 40
    assert set(members.values_list("user__email", "role", "status")) == first
    assert {role for _, role, _ in first} == {"collaborator", "admin"}
    assert {status for _, _, status in first} == {"active", "suspended"}
    names = "".join(members.values_list("user__first_name", flat=True))
    assert any(letter in names for letter in "éèëï")
    assert Grant.objects.filter(membership__in=members).values("right").distinct().count() == 6
    assert authenticate(
        email=members.first().user.email, password=printed("Password", out.getvalue())
    )


def test_a_smaller_number_removes_only_generated_members(debug_on):
    call_command("load_demo", "--members", "30", stdout=StringIO())
    call_command("load_demo", "--members", "5", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())  # without the option: left as they are

    assert generated_members(ATELIER_SIREN).count() == 5
    assert Membership.objects.filter(
        company__siren=ATELIER_SIREN, user__email="admin@demo.example"
    ).exists()


def test_members_refuses_a_number_out_of_bounds(debug_on):
    with pytest.raises(CommandError):
        call_command("load_demo", "--members", "-1", stdout=StringIO())
