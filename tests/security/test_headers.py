"""Every page carries the security headers: CSP without inline script, no framing, same-origin."""

import pytest
from django.urls import reverse

from tests.invitations.factories import sent

pytestmark = pytest.mark.django_db

EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def policy_of(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in directives}


def test_the_login_page_has_a_policy_without_inline_script_or_style(client):
    policy = policy_of(client.get(reverse("accounts:login")))

    assert {name: policy.get(name) for name in EXPECTED_POLICY} == EXPECTED_POLICY
    assert "unsafe-inline" not in str(policy)
    assert "unsafe-eval" not in str(policy)


def test_pages_refuse_to_be_framed(client):
    response = client.get(reverse("accounts:login"))

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_company_pages_carry_the_policy_too(admin_client, admin):
    response = admin_client.get(reverse("teams:team", args=[admin.company_id]))

    assert response.status_code == 200
    assert policy_of(response)["script-src"] == "'self'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_invitation_link_page_keeps_its_token_on_the_site(client, admin):
    _invitation, token = sent(admin)

    response = client.get(reverse("invitations:accept", args=[token]))

    assert response.headers["Referrer-Policy"] == "same-origin"
    assert policy_of(response)["form-action"] == "'self'"


def test_a_not_found_page_carries_the_policy(client):
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    assert "Content-Security-Policy" in response.headers


def test_htmx_is_told_not_to_inject_its_indicator_style(client):
    response = client.get(reverse("accounts:login"))

    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in (
        response.text
    )


def test_no_page_template_holds_inline_script_style_or_event_handler():
    from tests.security.templates import page_templates_with_inline_code

    assert page_templates_with_inline_code() == []
