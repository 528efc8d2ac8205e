"""Formula injection: the one escape for text cells of the CSV and XLSX files we write.

A text cell that begins with ``= + - @``, a tab or a carriage return gets a leading single
quote, so a spreadsheet never runs it as a formula. Numbers are never touched (only strings
are escaped). The export path (``opsdesk/analytics/reports``) and the domains' import
reports use it; it lives in the platform so that both may import it.
"""

from __future__ import annotations

import re

# A text cell beginning with one of these gets a leading quote.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def escape(value):
    """A string that a spreadsheet would run as a formula gets a leading quote."""
    if value.__class__ is str and value.startswith(DANGEROUS):
        return "'" + value
    return value


# A plain decimal number ("12", "-12.50"): a spreadsheet reads it as that number.
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def escape_row(values) -> list:
    """A row of a CSV written back from what people typed (an import's rejected rows and
    its error report): every text cell through ``escape``, except a plain number such as
    ``-12.50``, which stays the number it is (as an export writes numbers), so that a
    return's negative quantity comes back unchanged and the row can be imported again."""
    return [
        value if value.__class__ is str and _NUMBER.fullmatch(value) else escape(value)
        for value in values
    ]
