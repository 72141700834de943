"""PostgreSQL only: the trigram name index back to PostgreSQL's default pending list (4 MB).

Migration 0006 raised it to 64 MB so that an absent-citizen list would only append its names.
Every other path that creates persons (public declarations, check-ins, forms) appends to the same
list, and only an import or autovacuum merged it: after a day of declarations, every name search
read thousands of pending pages (p95 60 ms instead of 34). Merging in bulk is cheap (0.2 s for a
100,000-row list), so the default is kept; the worker still merges what an import leaves pending
right after its commit (people.tasks.merge_name_index).
"""

from django.db import migrations

INDEX = "person_name_key_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX IF EXISTS {INDEX} RESET (gin_pending_list_limit)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX IF EXISTS {INDEX} SET (gin_pending_list_limit = 65536)")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0008_index_free_space"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
