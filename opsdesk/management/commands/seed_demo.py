"""``manage.py seed_demo``: a deterministic, realistic demo chain.

Each domain app seeds its own part (``stores/demo.py`` first; the others build on the
chain it returns). The same flags scale the chain up for benchmarks.
"""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from customers.demo import seed_customers
from inventory.demo import seed_inventory
from opsdesk.platform.accounts.services import user_sync_role_access
from sales.demo import PosDemo, average_daily_sales
from staff.demo import seed_staff
from stores.checklists.demo import seed_checklists
from stores.demo import seed_stores
from stores.models import Store


class Command(BaseCommand):
    help = "Load a deterministic demo chain (regions, stores, people and their access)."

    def add_arguments(self, parser):
        parser.add_argument("--stores", type=int, default=12, help="number of stores (default 12)")
        # --skus and --days size the catalogue and the history that the domain apps seed.
        parser.add_argument(
            "--skus", type=int, default=200, help="number of products (default 200)"
        )
        parser.add_argument("--days", type=int, default=90, help="days of history (default 90)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="the last day of history, YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing when stores exist")
        parser.add_argument("--reset", action="store_true", help="empty the database first")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, stores, skus, days, seed, today, if_empty, reset, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo writes demo users with a known password; it refuses to run with "
                "DEBUG off. Add --force if this really is a demo or benchmark database."
            )
        if stores < 1 or skus < 1 or days < 0:
            raise CommandError("--stores and --skus must be at least 1, --days at least 0.")
        if Store.objects.exists():
            if if_empty:
                self.stdout.write("The database already has stores: demo chain not loaded.")
                return
            if not reset:
                raise CommandError(
                    "The database already has data. Use --reset to empty it first "
                    "(everything in it is deleted), or --if-empty to skip."
                )
            call_command("flush", interactive=False, verbosity=0)
        today = today or timezone.localdate()
        with transaction.atomic():
            chain = seed_stores(
                stores=stores, seed=seed, password=settings.OPSDESK_DEMO_PASSWORD, today=today
            )
            user_sync_role_access(user=chain.users["headoffice"])
            # Each domain app seeds its part of the chain here, in dependency order, with
            # the same seed, sizes and `today` (each with a random.Random of its own).
            # The demo's sales are its point of sale's receipts: the inventory simulation
            # posts each line's movement as a POS import would, day by day.
            pos = PosDemo(chain=chain, skus=skus, days=days, seed=seed, today=today)
            seed_inventory(chain=chain, skus=skus, days=days, seed=seed, today=today, pos=pos)
            pos.finish()
            seed_checklists(chain=chain, days=days, seed=seed, today=today)
            seed_customers(chain=chain, days=days, seed=seed, today=today)
            average_sales = average_daily_sales(
                since=today - datetime.timedelta(days=days), until=today
            )
            seed_staff(chain=chain, days=days, seed=seed, today=today, average_sales=average_sales)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo chain: {len(chain.regions)} regions, {len(chain.stores)} stores, "
                f"{len(chain.users)} users (password from OPSDESK_DEMO_PASSWORD)."
            )
        )
