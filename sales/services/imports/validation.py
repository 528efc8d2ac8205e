"""Pass 1, validation: every row parsed, in-file duplicates found; nothing written."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .common import FIRST_ERRORS, PROGRESS_EVERY, RowError
from .parsing import _Context, _raw_receipt_key, parse_row

RowSource = Callable[[], Iterable[tuple[str, dict[str, str], list[str]]]]


@dataclass
class _Validation:
    rows: int = 0
    error_count: int = 0
    first_errors: list[RowError] = field(default_factory=list)
    bad_receipts: set = field(default_factory=set)
    header: list[str] = field(default_factory=list)


def _validate(
    rows: RowSource, ctx: _Context, on_error: Callable[[RowError], None], progress
) -> _Validation:
    result = _Validation()
    seen_lines: set[int] = set()  # hashes of (store, receipt, date, line): 8 bytes a line
    for row, values, raw in rows():
        if row == "header":
            result.header = raw
            continue
        result.rows += 1
        parsed, errors = parse_row(row, values, ctx)
        if parsed is not None:
            key = hash((*parsed.receipt_key, parsed.line_number))
            if key in seen_lines:
                errors = [
                    RowError(
                        row,
                        "line_number",
                        _("Duplicate line %(line)s of receipt %(receipt)s in this file.")
                        % {"line": parsed.line_number, "receipt": parsed.receipt_number},
                    )
                ]
            seen_lines.add(key)
        for error in errors:
            result.error_count += 1
            if len(result.first_errors) < FIRST_ERRORS:
                result.first_errors.append(error)
            on_error(error)
        if errors:
            result.bad_receipts.add(_raw_receipt_key(values))
        if progress and result.rows % PROGRESS_EVERY == 0:
            progress(result.rows, 0)
    return result
