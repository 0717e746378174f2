"""The reminder sweep claims a boolean flag (the shared deadline engine, ``workflow.REMINDER``): every
registration reminded so far (or confirmed within 3 days of its workshop) has it set."""

from django.db import migrations, models


def flag_the_reminded(apps, schema_editor):
    Registration = apps.get_model("workshops", "Registration")
    Registration.objects.filter(reminder_sent_at__isnull=False).update(reminded=True)


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0002_registrations_offers_outputs_publication"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="registration",
            name="registration_to_remind",
        ),
        migrations.AddField(
            model_name="registration",
            name="reminded",
            field=models.BooleanField(default=False, editable=False, verbose_name="reminded"),
        ),
        migrations.RunPython(flag_the_reminded, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                condition=models.Q(("reminded", False), ("status", "confirmed")),
                fields=["workshop"],
                name="registration_reminder_due",
            ),
        ),
    ]
