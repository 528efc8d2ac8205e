"""``manage.py rebuild_snapshot_summary [--store CODE ...] [--from D1] [--to D2]``: recompute
the per-store daily snapshot summaries (read by the inventory KPIs) from the snapshots."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from stores.models import Store

from ...services.snapshots import stock_snapshot_summary_rebuild


class Command(BaseCommand):
    help = "Recompute the stock snapshot summaries from the snapshot rows."

    def add_arguments(self, parser):
        parser.add_argument("--store", action="append", default=[], help="store code (repeatable)")
        parser.add_argument("--from", dest="start", type=datetime.date.fromisoformat)
        parser.add_argument("--to", dest="end", type=datetime.date.fromisoformat)

    def handle(self, *args, store, start, end, **options):
        if start and end and start > end:
            raise CommandError("--from must not be after --to.")
        store_ids = None
        if store:
            found = dict(Store.objects.filter(code__in=store).values_list("code", "pk"))
            unknown = sorted(set(store) - set(found))
            if unknown:
                raise CommandError(f"Unknown store code(s): {', '.join(unknown)}")
            store_ids = sorted(found.values())
        written = stock_snapshot_summary_rebuild(store_ids=store_ids, start=start, end=end)
        self.stdout.write(f"{written} snapshot summaries written.")
