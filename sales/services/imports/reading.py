"""Reading the POS input: a CSV file streamed through the platform's CSV reader
(``opsdesk.platform.imports``: one column lookup, one row loop), never whole."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _

from opsdesk.platform.imports import (
    csv_records,
    detect_encoding,
    encoding_error,
    file_preview,
    find_columns,
    text_stream,
)

from .common import FIELDS, REQUIRED_FIELDS, ImportRejected

__all__ = ["csv_rows", "detect_encoding", "file_preview"]


def csv_rows(
    open_binary: Callable[[], object], *, encoding: str, mapping: dict[str, str]
) -> Iterator[tuple[str, dict[str, str], list[str]]]:
    """(row number, canonical values, raw values) for each data row of the file, streamed.

    Raises ``ImportRejected`` for a bad encoding, a missing column or an empty file.
    """
    with open_binary() as binary:
        text = text_stream(binary, encoding)
        reader = csv.reader(text)
        progress = [1]
        try:
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise ImportRejected(_("The file is empty."), code="empty")
            header = [h.strip() for h in header]
            yield "header", {}, header
            index = _column_index(header, mapping)
            seen_data = False
            for line, canonical, values in csv_records(reader, index, progress):
                seen_data = True
                yield str(line), canonical, values
        except UnicodeDecodeError:
            raise encoding_error(encoding, progress[0] + 1) from None
        except csv.Error as error:
            raise ImportRejected(
                _("Row %(row)s: the file is not a readable CSV file (%(error)s).")
                % {"row": progress[0] + 1, "error": error},
                code="csv",
            ) from None
        if not seen_data:
            raise ImportRejected(_("The file has a header but no rows."), code="empty")


def _column_index(header: list[str], mapping: dict[str, str]) -> dict[str, int]:
    columns = find_columns(header, FIELDS, required=REQUIRED_FIELDS, mapping=mapping)
    if columns.missing:
        raise ImportRejected(
            _("Missing column(s): %(columns)s.") % {"columns": ", ".join(columns.missing)},
            code="missing_column",
        )
    return columns.index
