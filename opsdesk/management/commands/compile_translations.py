"""Compile every ``locale/*/LC_MESSAGES/django.po`` to ``.mo`` without GNU gettext.

``compilemessages`` needs the ``msgfmt`` program, which a fresh machine may not have;
polib does the same job in Python, so ``make run`` works anywhere.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's .po translation files to .mo."

    def handle(self, *args, **options):
        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                po = polib.pofile(str(po_path))
                untranslated = [
                    e.msgid
                    for e in po.untranslated_entries() + po.fuzzy_entries()
                    if not e.obsolete
                ]
                if untranslated:
                    raise CommandError(
                        f"{po_path}: {len(untranslated)} untranslated or fuzzy, "
                        f"e.g. {untranslated[:3]}"
                    )
                po.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"Compiled {count} translation file(s).")
