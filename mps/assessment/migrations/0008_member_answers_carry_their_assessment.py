import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    """Copy each assessment's locality, wave and risk level onto its members' answers, in one UPDATE."""
    connection = schema_editor.connection
    members = connection.ops.quote_name(apps.get_model("assessment", "MemberAnswers")._meta.db_table)
    assessments = connection.ops.quote_name(apps.get_model("assessment", "Assessment")._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {members} SET locality_id = a.locality_id, wave_number = a.wave_number, "  # noqa: S608 # nosec B608 - quoted names only
            f"household_risk_level = a.risk_level FROM {assessments} a WHERE a.id = {members}.assessment_id"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0007_findings_count_for_figures"),
        ("geography", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="memberanswers",
            name="locality",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geography.locality",
            ),
        ),
        migrations.AddField(
            model_name="memberanswers",
            name="wave_number",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="wave number"),
        ),
        migrations.AddField(
            model_name="memberanswers",
            name="household_risk_level",
            field=models.CharField(
                choices=[("none", "no risk found"), ("low", "low risk"), ("medium", "medium risk"), ("high", "high risk")],
                max_length=6,
                null=True,
                verbose_name="household risk level",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="memberanswers",
            name="locality",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geography.locality",
            ),
        ),
        migrations.AlterField(
            model_name="memberanswers",
            name="wave_number",
            field=models.PositiveSmallIntegerField(verbose_name="wave number"),
        ),
        migrations.AlterField(
            model_name="memberanswers",
            name="household_risk_level",
            field=models.CharField(
                choices=[("none", "no risk found"), ("low", "low risk"), ("medium", "medium risk"), ("high", "high risk")],
                max_length=6,
                verbose_name="household risk level",
            ),
        ),
    ]
