"""The per-store daily stock snapshot summary read by the inventory KPIs, filled from the
snapshots already taken; and an index for the transfer cycle time KPI."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# The same statement as inventory.services.snapshots.stock_snapshot_summary_rebuild, kept
# here as it is today: a migration must not change when the service does.
FILL = (
    "INSERT INTO {summary} (store_id, business_date, skus, on_hand, value) "
    "SELECT store_id, business_date, COUNT(*), SUM(on_hand), SUM(value) "
    "FROM {snapshot} GROUP BY store_id, business_date"
)


def fill(apps, schema_editor):
    connection = schema_editor.connection
    summary = apps.get_model("inventory", "StockSnapshotSummary")._meta.db_table
    snapshot = apps.get_model("inventory", "StockSnapshot")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            FILL.format(
                summary=connection.ops.quote_name(summary),
                snapshot=connection.ops.quote_name(snapshot),
            )
        )


def empty(apps, schema_editor):
    apps.get_model("inventory", "StockSnapshotSummary").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_replenishment_velocity"),
        ("stores", "0002_checklisttemplate_templateitem_templatesection_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StockSnapshotSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("business_date", models.DateField(verbose_name="business date")),
                ("skus", models.PositiveIntegerField(default=0, verbose_name="SKUs")),
                (
                    "on_hand",
                    models.DecimalField(
                        decimal_places=3, max_digits=18, verbose_name="units on hand"
                    ),
                ),
                (
                    "value",
                    models.DecimalField(
                        decimal_places=4, max_digits=22, verbose_name="value at cost"
                    ),
                ),
            ],
            options={
                "verbose_name": "stock snapshot summary",
                "verbose_name_plural": "stock snapshot summaries",
                "ordering": ["store", "business_date"],
            },
        ),
        migrations.AddIndex(
            model_name="transfer",
            index=models.Index(fields=["received_at"], name="transfer_received_at"),
        ),
        migrations.AddField(
            model_name="stocksnapshotsummary",
            name="store",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="stores.store",
                verbose_name="store",
            ),
        ),
        migrations.AddConstraint(
            model_name="stocksnapshotsummary",
            constraint=models.UniqueConstraint(
                fields=("store", "business_date"), name="uniq_snapshot_summary"
            ),
        ),
        migrations.RunPython(fill, empty),
    ]
