"""PostgreSQL only: a larger pending list for the trigram index of names (gin_pending_list_limit).

A GIN index takes new entries into a pending list and merges them into its tree when the list
is full, inside the statement that filled it. With PostgreSQL's default (4 MB) a 100,000-row
absent list merges several times in the import's own transaction. With 64 MB the import only
appends, and the worker merges once, right after the commit (people.tasks.merge_name_index,
``gin_clean_pending_list``); searches read the pending entries meanwhile, so nothing is missed.
Undone by 0009: the other paths that create persons filled the list too, and searches slowed.
"""

from django.db import migrations

INDEX = "person_name_key_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX IF EXISTS {INDEX} SET (gin_pending_list_limit = 65536)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX IF EXISTS {INDEX} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_person_lighter_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
