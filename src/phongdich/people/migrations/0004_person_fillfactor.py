"""PostgreSQL only: leave 10 % of each page of people_person free (fillfactor 90).

A person's residence status, workplace or phone changes often (absent-citizen lists, intake,
edits) and none of those columns is indexed: with room left in the page, PostgreSQL writes
the new row version beside the old one (a HOT update) and touches none of the table's dozen
indexes. In a full page (the default fillfactor 100, as bulk loads leave them) every such
update writes a new entry into every index. Bulk imports of absent lists update tens of
thousands of people at once; this keeps those updates cheap. It applies to pages written from
now on (the demo generator and imports); an existing table gets it at its next rewrite
(``VACUUM FULL people_person`` or ``CLUSTER``), which is not done here because it locks the table.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE people_person SET (fillfactor = 90)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE people_person RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_person_index_tuning"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
