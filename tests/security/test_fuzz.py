"""Every form driven with arbitrary text (control characters and NUL bytes included) and an
arbitrary uploaded file: the answer is a page with errors or a redirect, never a server error,
and a refused form saves nothing."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from accounts.views import MOBILE_CHANGE_SESSION_KEY
from companies.models import Membership
from invitations.models import Invitation
from permissions.catalogue import Right
from tests.conftest import logged_in_client
from tests.factories import PASSWORD, UserFactory
from tests.invitations.factories import create, dispatch, signed

pytestmark = pytest.mark.django_db

# as many examples as the loaded profile says (tests/conftest.py: "ci" in make test, "fuzz")
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# st.text's default alphabet holds every character but surrogates: NUL and controls included
TEXT = st.text(max_size=200) | st.sampled_from(["", "\x00", "a\x00b@x.fr", "06\x0012345678"])
FILES = st.none() | st.builds(
    SimpleUploadedFile,
    st.sampled_from(["piece.pdf", "../../etc/passwd", "a\x00b.txt", "é.png"]),
    st.binary(max_size=4096),
)


STRONG = "un-mot-de-passe-bien-long"
# values a form accepts, so that the fuzz also reaches the services behind the forms
PLAUSIBLE = {
    "code": st.from_regex(r"[0-9]{6}", fullmatch=True),
    "email": st.emails() | st.sampled_from(["lea.martin@partenaire.example"]),
    "mobile": st.sampled_from(["06 98 76 54 32", "+33698765432", "+447700900123", "0698765432"]),
    "password": st.sampled_from([PASSWORD, STRONG]),
    "password1": st.sampled_from([STRONG]),
    "password2": st.sampled_from([STRONG]),
    "rights": st.lists(st.sampled_from([*Right.values, "admin"]), max_size=3),
    "next": st.sampled_from(["/", "//evil.example", "/\\evil.example", "javascript:x"]),
}


def form_data(*names: str, lists: tuple[str, ...] = ()) -> st.SearchStrategy[dict]:
    strategies = {name: TEXT | PLAUSIBLE.get(name, TEXT) for name in names}
    strategies.update(
        {name: st.lists(TEXT, max_size=4) | PLAUSIBLE.get(name, TEXT) for name in lists}
    )
    return st.fixed_dictionaries(strategies, optional={"extra": TEXT, "file": FILES})


def rows(company) -> tuple[int, int, int]:
    return (
        Invitation.objects.filter(company=company).count(),
        User.objects.count(),
        Membership.objects.filter(company=company).count(),
    )


def post_and_check(client: Client, url: str, data: dict, company) -> None:
    payload = {key: value for key, value in data.items() if value is not None}
    before = rows(company)

    response = client.post(url, payload)

    assert response.status_code < 500
    assert response.status_code in (200, 302, 400, 403, 404, 405, 410, 429)
    if response.status_code != 302:
        assert rows(company) == before


@FUZZ
@given(data=form_data("email", "password", "next"))
def test_the_login_form(client, admin, data):
    post_and_check(client, reverse("accounts:login"), data, admin.company)


@FUZZ
@given(data=form_data("first_name", "last_name", "email", "mobile", lists=("rights",)))
def test_the_invite_form(admin_client, admin, data):
    post_and_check(
        admin_client, reverse("invitations:create", args=[admin.company_id]), data, admin.company
    )


@FUZZ
@given(data=form_data("code"))
def test_the_signature_code_form(admin, data):
    client = logged_in_client(admin.user)
    invitation = Invitation.objects.filter(company=admin.company).first() or create(admin)
    client.post(reverse("invitations:send_code", args=[admin.company_id, invitation.pk]))

    post_and_check(
        client,
        reverse("invitations:sign", args=[admin.company_id, invitation.pk]),
        data,
        admin.company,
    )


def _sent_token(admin) -> str:
    invitation = signed(admin, email="fuzz@partenaire.example")
    return dispatch(invitation, now=timezone.now())


@pytest.fixture
def token(admin):
    return _sent_token(admin)


@FUZZ
@given(data=form_data("first_name", "last_name", "mobile", "password1", "password2"))
def test_the_new_account_acceptance_form(admin, token, data):
    post_and_check(Client(), reverse("invitations:accept", args=[token]), data, admin.company)


# one sent link per test: examples of the same test share it (hypothesis reruns the body)
_token_cache: dict[int, str] = {}


@pytest.fixture(autouse=True)
def _forget_tokens():
    _token_cache.clear()
    yield
    _token_cache.clear()


@FUZZ
@given(data=form_data("password", "email"))
def test_the_existing_account_acceptance_form(admin, data):
    if not User.objects.filter(email="fuzz@partenaire.example").exists():
        UserFactory.create(email="fuzz@partenaire.example")
    token = _token_cache.get(admin.pk) or _token_cache.setdefault(admin.pk, _sent_token(admin))

    post_and_check(Client(), reverse("invitations:accept", args=[token]), data, admin.company)


@pytest.fixture
def collaborator(collaborator_with):
    """Collaborators change their own mobile; an administrator's is set by support."""
    return collaborator_with()


@pytest.fixture
def collaborator_client(collaborator):
    return logged_in_client(collaborator.user)


@FUZZ
@given(data=form_data("password", "mobile"))
def test_the_mobile_change_form(collaborator_client, collaborator, data):
    post_and_check(
        collaborator_client, reverse("accounts:mobile_change"), data, collaborator.company
    )
    collaborator.user.refresh_from_db()
    assert str(collaborator.user.mobile) == "+33612345642"


@FUZZ
@given(data=form_data("password", "mobile"))
def test_the_mobile_change_form_of_an_administrator(admin_client, admin, data):
    response = admin_client.post(
        reverse("accounts:mobile_change"), {k: v for k, v in data.items() if v is not None}
    )

    assert response.status_code == 403
    admin.user.refresh_from_db()
    assert str(admin.user.mobile) == "+33612345642"


@FUZZ
@given(data=form_data("code"))
def test_the_mobile_change_code_form(collaborator_client, collaborator, data):
    if MOBILE_CHANGE_SESSION_KEY not in collaborator_client.session:
        collaborator_client.post(
            reverse("accounts:mobile_change"), {"password": PASSWORD, "mobile": "06 98 76 54 32"}
        )
    assert MOBILE_CHANGE_SESSION_KEY in collaborator_client.session

    post_and_check(
        collaborator_client, reverse("accounts:mobile_change_confirm"), data, collaborator.company
    )


@FUZZ
@given(token=st.text(min_size=1, max_size=100), method=st.sampled_from(["get", "head", "post"]))
def test_the_invitation_link_with_any_token(admin, token, method):
    before = rows(admin.company)

    response = getattr(Client(), method)(f"/invitation/{quote(token, safe='')}/")

    assert response.status_code in (301, 302, 404, 405, 410)
    assert rows(admin.company) == before


@FUZZ
@given(next_url=TEXT | PLAUSIBLE["next"])
def test_the_login_page_with_any_next(client, next_url):
    response = client.get(reverse("accounts:login"), {"next": next_url})

    assert response.status_code == 200


INVITE = {
    "first_name": "Léa",
    "last_name": "Martin",
    "email": "lea.martin@partenaire.example",
    "mobile": "06 98 76 54 32",
    "rights": [Right.DOCUMENTS.value],
}


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "mobile", "rights"])
def test_a_nul_byte_in_any_invite_field_is_refused_cleanly(admin_client, admin, field):
    value = ["documents\x00"] if field == "rights" else INVITE[field][:3] + "\x00" + "x"
    before = rows(admin.company)

    response = admin_client.post(
        reverse("invitations:create", args=[admin.company_id]), {**INVITE, field: value}
    )

    assert response.status_code == 200
    assert 'class="errorlist' in response.text
    assert rows(admin.company) == before


@pytest.mark.parametrize("field", ["first_name", "last_name", "mobile", "password1", "password2"])
def test_a_nul_byte_in_any_new_account_field_is_refused_cleanly(admin, token, field):
    data = {
        "first_name": "Léa",
        "last_name": "Martin",
        "mobile": "06 98 76 54 32",
        "password1": "un-mot-de-passe-bien-long",
        "password2": "un-mot-de-passe-bien-long",
    }
    data[field] = data[field][:3] + "\x00" + data[field][3:]
    before = rows(admin.company)

    response = Client().post(reverse("invitations:accept", args=[token]), data)

    assert response.status_code == 200
    assert rows(admin.company) == before
