"""Finding people by a piece of their name or email, whatever the accents and the case.

Every word typed must appear in `portal_search_text(first, last, email)`: the three in lower
case, without accents, joined by spaces. On PostgreSQL it is an SQL function over `unaccent`,
answered by a GIN trigram index on the users' table (the migration `accounts.0003_user_search`);
on SQLite (`make run`) the same function is registered in Python on every connection.
"""

import unicodedata
from typing import Any, TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import F, Func, QuerySet, TextField
from django.dispatch import receiver

Rows = TypeVar("Rows", bound=QuerySet[Any])

# what unaccent() spells out and Unicode's decomposition keeps as one letter
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})

# a longer query is not a name: cut it rather than build a huge statement
MAX_WORDS = 5
MAX_LENGTH = 100


def folded(text: str) -> str:
    """Lower case, without accents: how the search compares."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_words(text: str) -> list[str]:
    """The words of a query as the search compares them."""
    return folded(text[:MAX_LENGTH]).split()[:MAX_WORDS]


def _search_text(first_name: str | None, last_name: str | None, email: str | None) -> str:
    return folded(f"{first_name or ''} {last_name or ''} {email or ''}")


@receiver(connection_created)
def search_text_register(sender: object, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """SQLite has no unaccent: the same function, in Python, on each new connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "portal_search_text", 3, _search_text, deterministic=True
        )


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
    queryset = queryset.alias(search_text=SearchText(F(first_name), F(last_name), F(email)))
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset
