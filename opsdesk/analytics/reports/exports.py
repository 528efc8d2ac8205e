"""The one export path: ``export(dataset, fmt, user, params, out)`` writes CSV or XLSX.

- CSV: UTF-8 with a byte-order mark (Excel then opens Chinese text correctly). On
  PostgreSQL the cells are computed by the database (``sqlcsv.py``); a file (a job, the
  command) is then written by ``COPY (query) TO STDOUT WITH (FORMAT csv)``, and a page's
  streamed download by ``csv.writer`` over ``values_list`` on a server-side cursor. No
  model objects either way, and memory independent of the number of rows. Elsewhere,
  Python converters build the same cells; all paths write the same bytes.
- XLSX: openpyxl's write-only workbook (rows are streamed to a temporary file, never held
  as cells); numbers stay numbers, dates are dates.
- Text cells that begin with ``= + - @``, a tab or a carriage return get a leading single
  quote in both formats, so a spreadsheet never runs them as formulas. Numbers are never
  touched (only strings are escaped).
- Dates are ISO (``2025-03-19``), times ``2025-03-19 10:00:00`` in the server's time zone,
  Decimals as stored (``12.50``), so a file is the same whoever downloads it.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import islice

from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.platform.formulas import escape

from . import datasets
from .datasets import BOOL, DATETIME, NUMBER, TEXT, Column, ExportError

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"
PROGRESS_EVERY = 5000
CSV_BATCH = 2000
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header row
XLSX_MAX_CELL = 32_767
# CSV cells formatted by PostgreSQL when it can (sqlcsv.py); tests switch it off to
# prove that both paths write the same file.
SQL_CSV = True
# Files (jobs, the command) are written by PostgreSQL's COPY of the same cells.
COPY_CSV = True


def _csv_datetime(value):
    if value is None:
        return None
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def _xlsx_datetime(value):
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


def _xlsx_text(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    if value.__class__ is not str:
        value = str(value)
    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CELL]
    return escape(value)


def _csv_number(value):
    """Plain notation, never an exponent: Decimal("0E-7") is written 0.0000000."""
    return format(value, "f") if value.__class__ is Decimal else value


def _csv_bool(value):
    if value is None:
        return None
    return _("yes") if value else _("no")


def _compose(functions: list[Callable]) -> Callable:
    if len(functions) == 1:
        return functions[0]

    def composed(value):
        for function in functions:
            value = function(value)
        return value

    return composed


def row_converter(columns: tuple[Column, ...], fmt: str) -> Callable | None:
    """The per-row conversion for a format, or None when rows can be written as read
    (then CSV rows go straight from the cursor to ``csv.writer``)."""
    steps = []
    for index, column in enumerate(columns):
        functions = [column.convert] if column.convert else []
        if column.kind == TEXT:
            functions.append(escape if fmt == "csv" else _xlsx_text)
        elif column.kind == DATETIME:
            functions.append(_csv_datetime if fmt == "csv" else _xlsx_datetime)
        elif column.kind == BOOL and fmt == "csv":
            functions.append(_csv_bool)
        elif column.kind == NUMBER and fmt == "csv":
            functions.append(_csv_number)
        if functions:
            steps.append((index, _compose(functions)))
    if not steps:
        return None

    def convert(row):
        row = list(row)
        for index, function in steps:
            row[index] = function(row[index])
        return row

    return convert


def _converted(prepared: datasets.Prepared, fmt: str) -> Iterator:
    if fmt == "csv" and SQL_CSV:
        cells = prepared.csv_rows()
        if cells is not None:
            return cells
    convert = row_converter(prepared.dataset.columns, fmt)
    rows = prepared.rows()
    return map(convert, rows) if convert else rows


def _counting(rows: Iterator, progress: Callable[[int], None] | None) -> Iterator:
    if progress is None:
        yield from rows
        return
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0:
            progress(done)


def prepare(dataset: str, fmt: str, user, params) -> datasets.Prepared:
    """Check the request (dataset, format, filters) before anything is written."""
    if fmt not in FORMATS:
        raise ExportError(
            _("Unknown format “%(format)s”: choose csv or xlsx.") % {"format": fmt or ""}
        )
    return datasets.get(dataset).prepare(user, params)


def csv_chunks(prepared: datasets.Prepared, progress=None, counter=None) -> Iterator[bytes]:
    """The CSV file as byte chunks (for a streaming response): BOM, header, then rows
    in batches given to ``csv.writer.writerows``. ``counter`` (a list) receives the
    number of data rows once the last chunk is made."""
    buffer = io.StringIO()
    writer = _csv_writer(buffer)
    buffer.write(BOM)
    writer.writerow([escape(h) for h in prepared.dataset.headers])
    rows = iter(_counting(_converted(prepared, "csv"), progress))
    total = 0
    while True:
        batch = list(islice(rows, CSV_BATCH))
        total += len(batch)
        if batch:
            writer.writerows(batch)
        chunk = buffer.getvalue()
        if chunk:
            yield chunk.encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        if len(batch) < CSV_BATCH:
            break
    if counter is not None:
        counter.append(total)


class _LineCounter:
    """Passes COPY's output through, reporting progress by lines written (a quoted value
    holding a line break counts twice: the bar is approximate, the file exact)."""

    def __init__(self, out, progress: Callable[[int], None]):
        self.out = out
        self.progress = progress
        self.lines = 0
        self.reported = 0

    def write(self, data) -> int:
        self.lines += data.count(b"\n")
        if self.lines - self.reported >= PROGRESS_EVERY:
            self.reported = self.lines
            self.progress(self.lines)
        return self.out.write(data)


def _csv_writer(buffer):
    # "\n" ends a row, as PostgreSQL's COPY writes it: every path gives the same bytes.
    return csv.writer(buffer, lineterminator="\n")


def write_csv(prepared: datasets.Prepared, out, progress=None) -> int:
    """The CSV file into ``out``. On PostgreSQL the database writes the rows (COPY, the
    fastest path, for jobs and the command); otherwise the rows of ``csv_chunks``."""
    if SQL_CSV and COPY_CSV and prepared.can_copy:
        header = io.StringIO()
        header.write(BOM)
        _csv_writer(header).writerow([escape(h) for h in prepared.dataset.headers])
        out.write(header.getvalue().encode("utf-8"))
        rows = prepared.copy_csv(_LineCounter(out, progress) if progress else out)
        if progress is not None:
            progress(rows)
        return rows
    counter: list[int] = []
    for chunk in csv_chunks(prepared, progress, counter):
        out.write(chunk)
    if progress is not None:
        progress(counter[0])
    return counter[0]


def write_xlsx(prepared: datasets.Prepared, out, progress=None) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=prepared.dataset.name[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in prepared.dataset.headers:
        cell = WriteOnlyCell(sheet, value=_xlsx_text(title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    total = 0
    for row in _counting(_converted(prepared, "xlsx"), progress):
        total += 1
        if total > XLSX_MAX_ROWS:
            raise ExportError(
                _("More than %(rows)s rows do not fit in an XLSX sheet: export CSV instead.")
                % {"rows": f"{XLSX_MAX_ROWS:,}"}
            )
        sheet.append(row)
    workbook.save(out)
    return total


def export(dataset: str, fmt: str, user, params, out, progress=None) -> int:
    """Write one dataset, as ``user`` sees it with ``params``' filters, to the binary file
    ``out``; returns the number of data rows. Raises ``ExportError`` for a bad request
    before writing anything."""
    prepared = prepare(dataset, fmt, user, params)
    return write_prepared(prepared, fmt, out, progress)


def write_prepared(prepared: datasets.Prepared, fmt: str, out, progress=None) -> int:
    if fmt == "csv":
        return write_csv(prepared, out, progress)
    return write_xlsx(prepared, out, progress)


def file_name(dataset: str, fmt: str, when: datetime.datetime | None = None) -> str:
    when = timezone.localtime(when or timezone.now())
    return f"{dataset}-{when:%Y%m%d-%H%M}.{fmt}"
