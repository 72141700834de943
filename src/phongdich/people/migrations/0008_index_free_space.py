"""PostgreSQL only: free space in the indexes whose keys arrive in random order (fillfactor 70).

An absent-citizen list inserts tens of thousands of persons whose names, birth dates, phones and
ID numbers fall anywhere in these indexes, and residence records of persons anywhere in the registry.
A B-tree page that is full splits on every such insert; right after a bulk load or a REINDEX every
leaf is 90 % full (PostgreSQL's default), so the first big list splits most of them, inside its
own transaction. With 30 % left free the inserts land in place. The indexes grow by about a quarter.
Existing pages keep their fill until the next REINDEX (the demo rebuilds its indexes after loading).
"""

from django.db import migrations

INDEXES = [
    "person_birth_name",
    "person_name_key",
    "person_phone",
    "person_unique_active_id_number",
    "people_residencerecord_person_id_6496f289",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fillfactor = 70)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_residence_record_lighter_writes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
