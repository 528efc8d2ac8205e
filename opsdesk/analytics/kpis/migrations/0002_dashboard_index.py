from django.db import migrations, models


class Migration(migrations.Migration):
    """A covering index for the dashboards' roll-ups of the facts of some stores over a
    period (Σ numerators, Σ denominators by store or day and KPI): index-only scans."""

    dependencies = [
        ("kpis", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="kpifact",
            index=models.Index(
                fields=["store", "business_date"],
                include=("code", "numerator", "denominator"),
                name="kpi_fact_store_date_cover",
            ),
        ),
    ]
