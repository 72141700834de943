from django.db import migrations


def forwards(apps, schema_editor):
    from phongdich.policy.rulesets import apply_care_rules

    apply_care_rules(apps.get_model("policy", "RuleSet"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0004_care_and_arrival_rules")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
