import pytest
from django.template import Context, Template

from permissions.catalogue import CATALOGUE, Right

pytestmark = pytest.mark.django_db


def render(source: str, **context: object) -> str:
    return Template("{% load rights %}" + source).render(Context(context))


def test_a_template_sees_a_right_the_collaborator_holds(collaborator_with):
    membership = collaborator_with(Right.DOCUMENTS)

    assert render('{% if m|holds:"documents" %}oui{% endif %}', m=membership) == "oui"


def test_a_template_does_not_see_a_right_the_collaborator_lacks(collaborator_with):
    membership = collaborator_with(Right.DOCUMENTS)

    assert render('{% if m|holds:"bank_details" %}oui{% endif %}', m=membership) == ""


def test_a_page_without_a_membership_holds_no_right():
    assert render('{% if m|holds:"documents" %}oui{% endif %}') == ""


def test_grant_rows_are_shown_as_catalogue_entries_in_catalogue_order(collaborator_with):
    membership = collaborator_with(Right.TREASURY, Right.DOCUMENTS)

    shown = render(
        "{% for spec in grants|catalogue_specs %}{{ spec.short_label }};{% endfor %}",
        grants=membership.grants.all(),
    )

    assert shown == (
        f"{CATALOGUE[Right.DOCUMENTS].short_label};{CATALOGUE[Right.TREASURY].short_label};"
    )
