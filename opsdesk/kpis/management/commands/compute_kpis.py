"""``manage.py compute_kpis --date D`` or ``--from D1 --to D2``: the nightly job, by hand."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opsdesk.kpis import registry
from opsdesk.kpis.engine import compute_range
from stores.models import Store


class Command(BaseCommand):
    help = "Compute the KPIs of one business date (default: yesterday) or a range of dates."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat)
        parser.add_argument("--from", dest="start", type=datetime.date.fromisoformat)
        parser.add_argument("--to", dest="end", type=datetime.date.fromisoformat)
        parser.add_argument("--store", action="append", help="store code (repeatable)")
        parser.add_argument("--kpi", action="append", help="KPI code (repeatable)")

    def handle(self, *args, date, start, end, store, kpi, **options):
        if date and (start or end):
            raise CommandError("Give either --date or --from/--to, not both.")
        if bool(start) != bool(end):
            raise CommandError("--from and --to go together.")
        if start and end and start > end:
            raise CommandError("--from must not be after --to.")
        if not (date or start):
            date = timezone.localdate() - datetime.timedelta(days=1)
        start, end = (date, date) if date else (start, end)
        store_ids = None
        if store:
            found = dict(Store.objects.filter(code__in=store).values_list("code", "pk"))
            unknown = sorted(set(store) - set(found))
            if unknown:
                raise CommandError(f"Unknown store code(s): {', '.join(unknown)}")
            store_ids = list(found.values())
        try:
            registry.all_kpis(kpi)
        except KeyError as exc:
            raise CommandError(str(exc)) from None
        for run in compute_range(
            start=start, end=end, store_ids=store_ids, codes=kpi, trigger="command"
        ):
            self.stdout.write(
                f"{run.business_date}: {run.status}, {run.store_count} stores, {run.row_count} rows"
            )
