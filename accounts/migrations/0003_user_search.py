"""Finding a person among thousands by a piece of their name or email, accents and case aside.

On PostgreSQL: the `unaccent` and `pg_trgm` extensions, an immutable `portal_search_text(first,
last, email)` (lower case, accents removed, the three joined by spaces) and a GIN trigram index on
it over the users' table, so that `LIKE '%helene%'` is answered by the index. `accounts.search`
builds the same expression. Elsewhere (SQLite under `make run`) nothing is created: the function
is registered in Python on each connection (`accounts.search`), with no index.
"""

from django.db import migrations

FUNCTION = "portal_search_text"
INDEX = "portal_user_search_trgm"


def _schema_of(cursor, extension: str) -> str:
    cursor.execute(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = %s",
        [extension],
    )
    return cursor.fetchone()[0]


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        unaccent, trgm = _schema_of(cursor, "unaccent"), _schema_of(cursor, "pg_trgm")
        # unaccent() is only STABLE (its dictionary could change); naming the dictionary makes
        # the result fixed, which an index expression needs
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {FUNCTION}(text, text, text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                SELECT {unaccent}.unaccent(
                    '{unaccent}.unaccent'::regdictionary,
                    lower(coalesce($1, '') || ' ' || coalesce($2, '') || ' ' || coalesce($3, ''))
                )
            $$
            """
        )
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON portal_user "
            f"USING gin ({FUNCTION}(first_name, last_name, email) {trgm}.gin_trgm_ops)"
        )


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text, text, text)")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_content_type"),
    ]

    operations = [
        migrations.RunPython(create_search, drop_search, elidable=False),
    ]
