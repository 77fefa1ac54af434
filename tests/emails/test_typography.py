"""The {% load typography %} filters as the email templates use them."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation


def render(source: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load typography %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("name", "french"),
    [("Atelier Durand SAS", "d’Atelier Durand SAS"), ("Durand SA", "de Durand SA")],
)
def test_elide_writes_the_preposition_in_french_and_only_the_name_in_english(name, french):
    assert render('{{ name|elide:"de" }}', "fr", name=name) == french
    assert render('{{ name|elide:"de" }}', "en", name=name) == name


def test_elide_escapes_what_it_is_given():
    assert render('{{ name|elide:"de" }}', "fr", name="<b>A</b>") == "de &lt;b&gt;A&lt;/b&gt;"


@pytest.mark.parametrize(
    ("value", "french", "english"),
    [
        (datetime.date(2027, 3, 1), "1er mars 2027", "1 March 2027"),
        (datetime.date(2027, 3, 2), "2 mars 2027", "2 March 2027"),
        (datetime.date(2027, 3, 11), "11 mars 2027", "11 March 2027"),
    ],
)
def test_long_date(value, french, english):
    assert render("{{ value|long_date }}", "fr", value=value) == french
    assert render("{{ value|long_date }}", "en", value=value) == english


def test_long_datetime_is_in_paris_time_with_a_format_per_language():
    value = datetime.datetime(2027, 8, 31, 22, 15, tzinfo=datetime.UTC)  # 1 September in Paris

    assert render("{{ value|long_datetime }}", "fr", value=value) == "1er septembre 2027 à 00:15"
    assert render("{{ value|long_datetime }}", "en", value=value) == "1 September 2027, 00:15"


@pytest.mark.parametrize("value", [None, "", "2027-03-01"])
def test_what_is_not_a_date_gives_nothing(value):
    assert render("{{ value|long_date }}{{ value|long_datetime }}", "fr", value=value) == ""
