"""Reading the input: a CSV file streamed through a text wrapper, never whole."""

from __future__ import annotations

import codecs
import csv
import io
import operator
from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _

from .common import FIELDS, REQUIRED_FIELDS, ImportRejected


def _text_stream(binary, encoding: str) -> io.TextIOWrapper:
    codec = "utf-8-sig" if encoding in ("auto", "utf-8") else "gb18030"
    return io.TextIOWrapper(binary, encoding=codec, errors="strict", newline="")


def _encoding_error(encoding: str, row: int) -> ImportRejected:
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


def csv_rows(
    open_binary: Callable[[], object], *, encoding: str, mapping: dict[str, str]
) -> Iterator[tuple[str, dict[str, str], list[str]]]:
    """(row number, canonical values, raw values) for each data row of the file, streamed.

    Raises ``ImportRejected`` for a bad encoding, a missing column or an empty file.
    """
    with open_binary() as binary:
        text = _text_stream(binary, encoding)
        reader = csv.reader(text)
        row_number = 1
        try:
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise ImportRejected(_("The file is empty."), code="empty")
            header = [h.strip() for h in header]
            yield "header", {}, header
            index = _column_index(header, mapping)
            names = tuple(index)
            pick = operator.itemgetter(*index.values())
            width = max(index.values()) + 1
            strip = str.strip
            seen_data = False
            for values in reader:
                row_number = reader.line_num
                if len(values) >= width:
                    picked = pick(values)  # a tuple: there are 8 required columns
                    if not picked[0].strip() and not any(map(strip, values)):
                        continue  # a blank row
                    canonical = dict(zip(names, map(strip, picked), strict=True))
                else:  # a short row: the missing columns are empty
                    if not any(map(strip, values)):
                        continue
                    canonical = {
                        name: (values[i].strip() if i < len(values) else "")
                        for name, i in index.items()
                    }
                seen_data = True
                yield str(row_number), canonical, values
        except UnicodeDecodeError:
            raise _encoding_error(encoding, row_number + 1) from None
        except csv.Error as error:
            raise ImportRejected(
                _("Row %(row)s: the file is not a readable CSV file (%(error)s).")
                % {"row": row_number + 1, "error": error},
                code="csv",
            ) from None
        if not seen_data:
            raise ImportRejected(_("The file has a header but no rows."), code="empty")


def _column_index(header: list[str], mapping: dict[str, str]) -> dict[str, int]:
    positions = {h.lower(): i for i, h in enumerate(header)}
    index, missing = {}, []
    for name in FIELDS:
        column = (mapping.get(name) or name).strip().lower()
        if column in positions:
            index[name] = positions[column]
        elif name in REQUIRED_FIELDS:
            missing.append(mapping.get(name) or name)
    if missing:
        raise ImportRejected(
            _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)},
            code="missing_column",
        )
    return index


def file_preview(
    open_binary: Callable[[], object], *, encoding: str, rows: int = 10
) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``rows`` data rows, for the page before importing."""
    with open_binary() as binary:
        reader = csv.reader(_text_stream(binary, encoding))
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
            raise _encoding_error(encoding, reader.line_num + 1) from None
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
