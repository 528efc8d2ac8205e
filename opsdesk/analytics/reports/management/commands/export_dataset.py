"""Write one export to a file or stdout, as a user sees it: the same path as the pages.

manage.py export_dataset stock_movements --user headoffice --format csv --out m.csv
manage.py export_dataset kpi_table --user regional -p period=month -p month=2026-02
"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from opsdesk.analytics.reports import exports
from opsdesk.analytics.reports.datasets import ExportError, all_datasets


class Command(BaseCommand):
    help = "Export a dataset (CSV or XLSX) as a given user, with the list's filters."

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=[d.name for d in all_datasets()])
        parser.add_argument("--user", required=True, help="username whose scope applies")
        parser.add_argument("--format", default="csv", choices=exports.FORMATS)
        parser.add_argument("--out", default="-", help="file path, or - for stdout")
        parser.add_argument(
            "-p", "--param", action="append", default=[], help="a filter, key=value"
        )

    def handle(self, *args, **options):
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {options['user']!r}") from None
        params: dict[str, list[str]] = {}
        for item in options["param"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"a filter is key=value, not {item!r}")
            params.setdefault(key, []).append(value)
        try:
            if options["out"] == "-":
                rows = exports.export(
                    options["dataset"], options["format"], user, params, sys.stdout.buffer
                )
                sys.stdout.buffer.flush()
            else:
                with open(options["out"], "wb") as out:
                    rows = exports.export(options["dataset"], options["format"], user, params, out)
        except ExportError as error:
            raise CommandError("; ".join(str(m) for m in error.messages)) from None
        self.stderr.write(f"{rows} rows")
