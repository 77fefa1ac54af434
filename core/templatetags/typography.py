"""Filters for the emails: French elision before names, "1er", and dates written per language.

Loaded as {% load typography %} (registered in TEMPLATES' "libraries": core is not an app). In a
language other than French, `elide` gives the name alone and the dates carry no "1er".
"""

import datetime

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext

from core.text import french_elide, french_first_day

register = template.Library()


@register.filter
def elide(name: object, word: str) -> str:
    """{{ company.name|elide:"de" }}: "d’Atelier Durand SAS" in French, the name alone otherwise."""
    return french_elide(word, str(name))


@register.filter(expects_localtime=True)
def long_date(value: object) -> str:
    """A date as "1er mars 2027" in French, "1 March 2027" in English; "" for a non-date."""
    if not isinstance(value, datetime.date):
        return ""
    return french_first_day(date_format(value, "j F Y"))


@register.filter(expects_localtime=True)
def long_datetime(value: object) -> str:
    """A moment as "1er mars 2027 à 14:30" in French, "1 March 2027, 14:30" in English (the
    format is translated: English has no "à"); "" for a non-date."""
    if not isinstance(value, datetime.date):
        return ""
    return french_first_day(date_format(value, gettext("j F Y à H:i")))
