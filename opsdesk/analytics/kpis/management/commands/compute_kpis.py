"""``manage.py compute_kpis --date D`` or ``--from D1 --to D2``: the nightly job, by hand.

``--days N`` is the N business dates up to yesterday; ``--missing`` computes only the
stores and dates that have no KPIs yet (``make run`` uses both after seeding the demo).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.engine import compute_kpis, compute_range, stores_for
from opsdesk.analytics.kpis.models import KpiStoreDay
from stores.models import Store


class Command(BaseCommand):
    help = "Compute the KPIs of one business date (default: yesterday) or a range of dates."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat)
        parser.add_argument("--from", dest="start", type=datetime.date.fromisoformat)
        parser.add_argument("--to", dest="end", type=datetime.date.fromisoformat)
        parser.add_argument("--store", action="append", help="store code (repeatable)")
        parser.add_argument("--kpi", action="append", help="KPI code (repeatable)")
        parser.add_argument(
            "--days", type=int, help="the N business dates up to yesterday (instead of dates)"
        )
        parser.add_argument(
            "--missing",
            action="store_true",
            help="only the stores and dates with no KPIs computed yet",
        )

    def handle(self, *args, date, start, end, store, kpi, days, missing, **options):
        if sum(bool(x) for x in (date, start or end, days is not None)) > 1:
            raise CommandError("Give either --date, --from/--to or --days, not more than one.")
        if days is not None:
            if days < 1:
                raise CommandError("--days must be at least 1.")
            end = timezone.localdate() - datetime.timedelta(days=1)
            start = end - datetime.timedelta(days=days - 1)
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
        if missing:
            runs = self._missing(start, end, store_ids, kpi)
        else:
            runs = compute_range(
                start=start, end=end, store_ids=store_ids, codes=kpi, trigger="command"
            )
        for run in runs:
            self.stdout.write(
                f"{run.business_date}: {run.status}, {run.store_count} stores, {run.row_count} rows"
            )

    def _missing(self, start, end, store_ids, codes):
        """Each date's trading stores that have no computed KPIs yet (none: no run)."""
        done: dict[datetime.date, set[int]] = {}
        for store_id, day in KpiStoreDay.objects.filter(
            business_date__range=(start, end)
        ).values_list("store_id", "business_date"):
            done.setdefault(day, set()).add(store_id)
        day = start
        while day <= end:
            todo = [s for s in stores_for(day, store_ids) if s not in done.get(day, set())]
            if todo:
                yield compute_kpis(
                    business_date=day, store_ids=todo, codes=codes, trigger="command"
                )
            day += datetime.timedelta(days=1)
