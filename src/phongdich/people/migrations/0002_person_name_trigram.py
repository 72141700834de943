"""PostgreSQL only: a trigram index on Person.name_key for diacritic-insensitive name search.

``name_key LIKE '%word%'`` (see people/queries.py) uses it; on SQLite nothing is created and
the search is a plain LIKE. pg_trgm is a trusted extension (PostgreSQL 13+), so the database
owner can create it. Reversing drops the index and leaves the extension (other indexes may use it).
"""

from django.db import migrations

INDEX = "person_name_key_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON people_person USING gin (name_key gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
