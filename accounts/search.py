"""Finding people by a piece of their name or email, whatever the accents and the case.

On PostgreSQL every word typed must appear in `portal_search_text(first, last, email)` (lower
case, accents removed: see the migration `accounts.0003_user_search`), which a GIN trigram index
answers for the users' table. Elsewhere (SQLite under `make run`) each word as typed must appear
in one of the fields, compared case-insensitively (SQLite folds ASCII letters only, and keeps
accents: "Hélène" finds Hélène there, "helene" does not).
"""

import unicodedata
from typing import Any, TypeVar

from django.db import connections
from django.db.models import F, Func, Q, QuerySet, TextField

Rows = TypeVar("Rows", bound=QuerySet[Any])

# what unaccent() spells out and Unicode's decomposition keeps as one letter
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})

# a longer query is not a name: cut it rather than build a huge statement
MAX_WORDS = 5
MAX_LENGTH = 100


def search_words(text: str) -> list[str]:
    """The words of a query, lower case and without accents, as the index holds them."""
    folded = unicodedata.normalize("NFKD", text[:MAX_LENGTH].lower().translate(_LIGATURES))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return plain.split()[:MAX_WORDS]


class SearchText(Func):
    function = "portal_search_text"
    output_field = TextField()


def matching_people(
    queryset: Rows, text: str, *, first_name: str, last_name: str, email: str
) -> Rows:
    """The rows whose person matches every word of `text` (the field paths name them)."""
    words = search_words(text)
    if not words:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        queryset = queryset.alias(search_text=SearchText(F(first_name), F(last_name), F(email)))
        for word in words:
            queryset = queryset.filter(search_text__contains=word)
        return queryset
    for word in text[:MAX_LENGTH].split()[:MAX_WORDS]:
        queryset = queryset.filter(
            Q(**{f"{first_name}__icontains": word})
            | Q(**{f"{last_name}__icontains": word})
            | Q(**{f"{email}__icontains": word})
        )
    return queryset
