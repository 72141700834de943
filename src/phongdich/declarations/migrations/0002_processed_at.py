from django.db import migrations, models
from django.db.models import F


def mark_processed(apps, schema_editor):
    """Declarations stored before this migration were matched and flagged when they were submitted."""
    Declaration = apps.get_model("declarations", "Declaration")
    Declaration.objects.filter(processed_at__isnull=True).update(processed_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="declaration",
            name="processed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="processed at"),
        ),
        migrations.RunPython(mark_processed, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="declaration",
            index=models.Index(
                condition=models.Q(("processed_at__isnull", True)), fields=["created_at"], name="declaration_pending"
            ),
        ),
    ]
