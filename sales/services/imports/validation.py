"""Pass 1, validation: every row parsed once, in-file duplicates found; nothing written.

Each good row goes to the ``stage`` (when given) as it is parsed, so that the write pass
needs no second parse: on PostgreSQL the rows are streamed by ``COPY`` to a temporary
table (``staging``), which the write pass turns into receipts, lines and movements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .common import FIRST_ERRORS, PROGRESS_EVERY, RowError
from .parsing import _Context, _raw_receipt_key, parse_fast, parse_row, staged

RowSource = Callable[[], Iterable[tuple[str, dict[str, str], list[str]]]]


@dataclass
class _Validation:
    rows: int = 0
    error_count: int = 0
    first_errors: list[RowError] = field(default_factory=list)
    bad_receipts: set = field(default_factory=set)
    header: list[str] = field(default_factory=list)


def _validate(
    rows: RowSource,
    ctx: _Context,
    on_error: Callable[[RowError], None],
    progress,
    stage=None,
) -> _Validation:
    """Parse every row; report each error; give the good rows (numbered from 1, with
    ``line`` as ``parse_fast`` returns it) to ``stage.copy``, which streams them to the
    database while the next rows are parsed."""
    result = _Validation()

    def on_pause(number: int) -> None:
        progress(number, 0)

    items = _checked_lines(rows, ctx, on_error, result, pause=progress is not None)
    if stage is not None:
        stage.copy(items, on_pause)
    else:
        for number, line in items:
            if line is None:
                on_pause(number)
    return result


def _checked_lines(
    rows: RowSource, ctx: _Context, on_error, result: _Validation, *, pause: bool
) -> Iterator[tuple[int, tuple | None]]:
    """(number, line) for each good row, and (number, None) every ``PROGRESS_EVERY``
    rows when ``pause`` (the progress points); errors go to ``on_error`` and ``result``."""
    seen_lines: set[int] = set()  # hashes of (store, receipt, date, line): 8 bytes a line
    number = 0
    for row, values, raw in rows():
        if row == "header":
            result.header = raw
            continue
        number += 1
        line = parse_fast(values, ctx)
        errors = ()
        if line is None:
            parsed, errors = parse_row(row, values, ctx)
            if parsed is not None:
                line = staged(parsed, values["receipt_number"])
        if line is not None:
            # The receipt's key (store, number as stored, business date) and the line.
            key = hash((line[0], line[3][:64], line[1], line[6]))
            if key in seen_lines:
                errors = [
                    RowError(
                        row,
                        "line_number",
                        _("Duplicate line %(line)s of receipt %(receipt)s in this file.")
                        % {"line": line[6], "receipt": line[3][:64]},
                    )
                ]
            else:
                seen_lines.add(key)
                yield number, line
        if errors:
            for error in errors:
                result.error_count += 1
                if len(result.first_errors) < FIRST_ERRORS:
                    result.first_errors.append(error)
                on_error(error)
            result.bad_receipts.add(_raw_receipt_key(values))
        if pause and number % PROGRESS_EVERY == 0:
            result.rows = number
            yield number, None
    result.rows = number
