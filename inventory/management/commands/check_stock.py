"""``manage.py check_stock [--store CODE ...] [--fix]``: rebuild stock levels from the ledger
and report every difference; exits 1 when there are differences and ``--fix`` is not given."""

from django.core.management.base import BaseCommand, CommandError

from stores.models import Store

from ...services.ledger import stock_levels_check


class Command(BaseCommand):
    help = "Compare stock levels with the ledger (movements); --fix makes them agree."

    def add_arguments(self, parser):
        parser.add_argument("--store", action="append", default=[], help="store code (repeatable)")
        parser.add_argument("--fix", action="store_true", help="rewrite levels from the ledger")

    def handle(self, *args, store, fix, **options):
        store_ids = None
        if store:
            found = dict(Store.objects.filter(code__in=store).values_list("code", "pk"))
            unknown = sorted(set(store) - set(found))
            if unknown:
                raise CommandError(f"Unknown store code(s): {', '.join(unknown)}")
            store_ids = sorted(found.values())
        differences = stock_levels_check(store_ids=store_ids, fix=fix)
        for d in differences:
            self.stdout.write(
                f"store {d.store_id} product {d.product_id}: level on hand {d.on_hand} "
                f"avg {d.avg_cost}; ledger on hand {d.expected_on_hand} avg {d.expected_avg_cost}"
            )
        if not differences:
            self.stdout.write(self.style.SUCCESS("Stock levels agree with the ledger."))
        elif fix:
            self.stdout.write(self.style.WARNING(f"Fixed {len(differences)} level(s)."))
        else:
            self.stderr.write(f"{len(differences)} level(s) differ from the ledger.")
            raise SystemExit(1)
