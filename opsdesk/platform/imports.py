"""Reading an uploaded CSV file for an import, shared by the domain apps.

``read_csv_upload`` turns an upload into a header and its data rows, or refuses the file
as a whole (``ImportRejected``) with one clear message: too big, empty, binary (a
spreadsheet, a picture…), not UTF-8 text, unreadable CSV, missing, unknown or repeated
columns, or a header with no rows. UTF-8 is read with or without a byte-order mark.

Row problems are the caller's: it collects ``RowError(row, column, message)`` (row
numbers as the user's spreadsheet shows them: the header is row 1) and can hand them
back as a downloadable report with ``error_report_csv``.

The one CSV reader of every import: the POS import (``sales.services.imports``) streams
its files, which may have a million lines, through the same column lookup
(``find_columns``) and row loop (``csv_records``), with a user's column mapping and a
choice of encoding (``text_stream``, ``detect_encoding``, ``file_preview``).
"""

from __future__ import annotations

import codecs
import csv
import io
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .formulas import escape_row

# Signatures of common files that are not CSV (zip-based spreadsheets, old Excel, PDF,
# images): refused with a clear message rather than read as garbled text.
BINARY_SIGNATURES = (
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
)
ERROR_REPORT_HEADER = ["row", "column", "message"]


@dataclass(frozen=True)
class RowError:
    row: int | str  # the row of the file (header = 1), "" for the whole file
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(ValidationError):
    """The file as a whole cannot be read: nothing was written."""


@dataclass
class CsvTable:
    """A read file: its normalised header and its data rows (blank lines skipped)."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _is_binary(head: bytes) -> bool:
    return head.startswith(BINARY_SIGNATURES) or b"\x00" in head


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def read_csv_upload(
    upload,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    max_bytes: int,
) -> CsvTable:
    """Read an uploaded CSV file whose first row names the columns (case and spaces
    around names do not matter). Every value is stripped of surrounding spaces."""
    required, optional = list(required), list(optional)
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ImportRejected(
            _("The file is larger than the limit of %(limit)s.") % {"limit": _size(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImportRejected(
            _("The file is larger than the limit of %(limit)s.") % {"limit": _size(max_bytes)},
            code="too_large",
        )
    if not data.strip():
        raise ImportRejected(_("The file is empty."), code="empty")
    if _is_binary(data[:8192]):
        raise ImportRejected(
            _(
                "This is not a CSV file (it looks like a spreadsheet, a picture or another "
                "binary file). Save it as “CSV UTF-8” and upload that."
            ),
            code="binary",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            _(
                "Row %(row)s: the file is not UTF-8 text. Save it as “CSV UTF-8” and upload "
                "it again."
            )
            % {"row": _line_of(data, error.start)},
            code="encoding",
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ImportRejected(_("The file is empty."), code="empty")
        header = [cell.strip().lower() for cell in header]
        index = _column_index(header, required, optional)
        rows = []
        for line, values, cells in csv_records(reader, index):
            if len(cells) > len(header) and any(v.strip() for v in cells[len(header) :]):
                raise ImportRejected(
                    _("Row %(row)s has more cells than the header has columns.") % {"row": line},
                    code="csv",
                )
            rows.append((line, values))
    except csv.Error as error:
        raise ImportRejected(
            _("Row %(row)s: the file is not a readable CSV file (%(error)s).")
            % {"row": reader.line_num + 1, "error": error},
            code="csv",
        ) from None
    if not rows:
        raise ImportRejected(_("The file has a header but no rows."), code="empty")
    return CsvTable(header=header, rows=rows)


@dataclass
class Columns:
    """Where each field is in a file's header (``find_columns``)."""

    index: dict[str, int]  # field -> position of its column
    missing: list[str]  # required fields not found, as the file should name them
    unknown: list[str]  # header names that are no field's column
    repeated: list[str]  # header names given more than once


def find_columns(
    header: list[str],
    fields: Iterable[str],
    *,
    required: Iterable[str],
    mapping: Mapping[str, str] | None = None,
) -> Columns:
    """The one column lookup of every import. Names are compared without case or the
    spaces around them; a field's column is its own name or the one ``mapping`` gives it
    (the POS import's remembered mappings). A name given twice counts at its last place."""
    mapping = mapping or {}
    names = [h.strip().lower() for h in header]
    positions = {name: i for i, name in enumerate(names)}
    required = set(required)
    index, missing, columns = {}, [], set()
    for field in fields:
        column = (mapping.get(field) or field).strip().lower()
        columns.add(column)
        if column in positions:
            index[field] = positions[column]
        elif field in required:
            missing.append(mapping.get(field) or field)
    return Columns(
        index=index,
        missing=missing,
        unknown=[name for name in names if name and name not in columns],
        repeated=sorted({name for name in names if name and names.count(name) > 1}),
    )


def csv_records(
    reader, index: Mapping[str, int], progress: list[int] | None = None
) -> Iterator[tuple[int, dict[str, str], list[str]]]:
    """(line, values by field, cells) for each data row of a ``csv.reader`` whose header
    has been read: values stripped, a column missing from a short row empty, blank rows
    skipped. ``progress[0]`` follows the line of the last row read (blank ones included),
    for the caller's error messages. One ``itemgetter`` per row: the POS import reads a
    million lines through here."""
    names = tuple(index)
    positions = tuple(index.values())
    if len(positions) > 1:
        pick = operator.itemgetter(*positions)
    else:
        position = positions[0]

        def pick(values):
            return (values[position],)

    width = max(positions) + 1
    strip = str.strip
    for values in reader:
        line = reader.line_num
        if progress is not None:
            progress[0] = line
        if len(values) >= width:
            picked = pick(values)
            if not picked[0].strip() and not any(map(strip, values)):
                continue  # a blank row
            record = dict(zip(names, map(strip, picked), strict=True))
        else:  # a short row: the missing columns are empty
            if not any(map(strip, values)):
                continue
            record = {
                name: (values[i].strip() if i < len(values) else "") for name, i in index.items()
            }
        yield line, record, values


def text_stream(binary, encoding: str) -> io.TextIOWrapper:
    """A binary file read as text: UTF-8 (with or without a byte-order mark) or GB18030."""
    codec = "utf-8-sig" if encoding in ("auto", "utf-8") else "gb18030"
    return io.TextIOWrapper(binary, encoding=codec, errors="strict", newline="")


def encoding_error(encoding: str, row: int) -> ImportRejected:
    if encoding == "gb18030":
        return ImportRejected(
            _("Row %(row)s: the file is not valid GB18030 text.") % {"row": row}, code="encoding"
        )
    return ImportRejected(
        _(
            "Row %(row)s: the file is not valid UTF-8. If it comes from a Chinese POS, "
            "choose the GB18030 encoding."
        )
        % {"row": row},
        code="encoding",
    )


def file_preview(
    open_binary: Callable[[], object], *, encoding: str, rows: int = 10
) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``rows`` data rows, for the page before importing."""
    with open_binary() as binary:
        reader = csv.reader(text_stream(binary, encoding))
        try:
            header = next(reader, None)
            if header is None:
                raise ImportRejected(_("The file is empty."), code="empty")
            body = []
            for values in reader:
                body.append(values)
                if len(body) >= rows:
                    break
        except UnicodeDecodeError:
            raise encoding_error(encoding, reader.line_num + 1) from None
        except csv.Error as error:
            raise ImportRejected(str(error), code="csv") from None
    return [h.strip() for h in header], body


def detect_encoding(open_binary: Callable[[], object]) -> str:
    """UTF-8 if the whole file decodes strictly as UTF-8 (streamed), else ``gb18030``."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with open_binary() as binary:
        try:
            while chunk := binary.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _column_index(header: list[str], required: list[str], optional: list[str]) -> dict[str, int]:
    columns = find_columns(header, required + optional, required=required)
    if columns.repeated:
        raise ImportRejected(
            _("Column(s) named twice: %(columns)s.") % {"columns": ", ".join(columns.repeated)},
            code="header",
        )
    missing, unknown = columns.missing, columns.unknown
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})
        if unknown:
            parts.append(_("Unknown column(s): %(columns)s.") % {"columns": ", ".join(unknown)})
        parts.append(
            _("The first row must name the columns: %(required)s (required), %(optional)s.")
            % {"required": ", ".join(required), "optional": ", ".join(optional) or "—"}
        )
        raise ImportRejected(" ".join(parts), code="header")
    return columns.index


def _size(limit: int) -> str:
    if limit >= 1024**2:
        return f"{limit / 1024**2:g} MB"
    if limit >= 1024:
        return f"{limit / 1024:g} KB"
    return f"{limit} B"


def parse_decimal(value: str, *, places: int, maximum: Decimal) -> Decimal:
    """A number of zero or more with at most ``places`` decimals, below ``maximum``.
    Raises ``ValueError`` with the message to show."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    if number < 0:
        raise ValueError(_("Enter a number of zero or more."))
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        raise ValueError(_("At most %(places)s decimal places.") % {"places": places})
    if number >= maximum:
        raise ValueError(_("The number is too large."))
    return number.quantize(quantum)


TRUE_VALUES = {"1", "y", "yes", "true", "t", "是"}
FALSE_VALUES = {"0", "n", "no", "false", "f", "否"}


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise ValueError(_("Enter yes or no (1 or 0)."))


def error_report_csv(errors: Iterable[RowError | dict]) -> bytes:
    """The row-by-row report as CSV (UTF-8 with a BOM, so spreadsheets show Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ERROR_REPORT_HEADER)
    for error in errors:
        item = error.as_dict() if isinstance(error, RowError) else error
        row = [item.get("row", ""), item.get("column", ""), item.get("message", "")]
        writer.writerow(escape_row(row))  # formula cells escaped as in every export
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
