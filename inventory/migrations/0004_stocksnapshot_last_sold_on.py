"""Each stock snapshot carries the last business date the product sold in the store, so
that the stockout KPI reads one day of snapshots instead of 28 days of sales. The
snapshots already taken are filled from the ledger in one statement."""

from django.db import migrations, models

# For every snapshot: the latest business date, on or before its own, with a ``sale``
# movement of its store and product. One pass: the snapshot rows and the (store,
# product, day) sale marks in one ordered window, a running maximum per store and
# product (a sale on the snapshot's own date counts: sale marks sort first on a date).
# Kept here as it is today: a migration must not change when the service does.
FILL = (
    "UPDATE {snapshot} SET last_sold_on = marks.last_sold_on FROM ("
    "SELECT id, last_sold_on FROM ("
    "SELECT id, MAX(sold_on) OVER (PARTITION BY store_id, product_id "
    "ORDER BY business_date, mark ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
    "AS last_sold_on FROM ("
    "SELECT id, store_id, product_id, business_date, 1 AS mark, CAST(NULL AS DATE) AS sold_on "
    "FROM {snapshot} "
    "UNION ALL SELECT NULL, store_id, product_id, business_date, 0, business_date "
    "FROM {movement} WHERE kind = 'sale' GROUP BY store_id, product_id, business_date"
    ") rows_and_sales"
    ") running WHERE id IS NOT NULL AND last_sold_on IS NOT NULL"
    ") marks WHERE {snapshot}.id = marks.id"
)


def fill(apps, schema_editor):
    connection = schema_editor.connection
    snapshot = apps.get_model("inventory", "StockSnapshot")._meta.db_table
    movement = apps.get_model("inventory", "StockMovement")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            FILL.format(
                snapshot=connection.ops.quote_name(snapshot),
                movement=connection.ops.quote_name(movement),
            )
        )


def empty(apps, schema_editor):
    apps.get_model("inventory", "StockSnapshot").objects.update(last_sold_on=None)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0003_kpi_snapshot_summary"),
    ]

    operations = [
        migrations.AddField(
            model_name="stocksnapshot",
            name="last_sold_on",
            field=models.DateField(blank=True, null=True, verbose_name="last sold on"),
        ),
        migrations.RunPython(fill, empty, elidable=True),
    ]
