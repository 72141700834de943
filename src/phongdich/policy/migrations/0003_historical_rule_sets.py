"""Ship the historical national rule sets (DOMAIN.md §1) as data; idempotent."""

from django.db import migrations


def load(apps, schema_editor):
    from phongdich.policy.rulesets import load_rule_sets

    load_rule_sets(apps.get_model("policy", "RuleSet"), apps.get_model("policy", "LevelRule"))


class Migration(migrations.Migration):
    dependencies = [
        ("policy", "0002_levelrule_confirmed"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
