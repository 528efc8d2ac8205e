"""Formula injection: the one escape for text cells of the CSV and XLSX files we write.

A text cell that begins with ``= + - @``, a tab or a carriage return gets a leading single
quote, so a spreadsheet never runs it as a formula. Numbers are never touched (only strings
are escaped). The export path (``opsdesk/reports``) and the domains' import reports use it;
it lives in the platform so that both may import it.
"""

from __future__ import annotations

# A text cell beginning with one of these gets a leading quote.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def escape(value):
    """A string that a spreadsheet would run as a formula gets a leading quote."""
    if value.__class__ is str and value.startswith(DANGEROUS):
        return "'" + value
    return value
