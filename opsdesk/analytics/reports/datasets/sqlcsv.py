"""CSV cells computed by PostgreSQL: the fast path of the CSV export.

For a queryset dataset each column becomes one SQL expression giving exactly the text the
Python path (``exports.row_converter``) writes: numbers and dates as their text (as
``str()`` of a Decimal or a date gives), times in the active time zone as
``YYYY-MM-DD HH:MM:SS``, yes/no, choice labels in the active language, document numbers,
and text with the formula escape (a leading quote before ``= + - @``, tab, CR). Rows then
go from the server-side cursor to ``csv.writer`` with no per-cell Python work, or, for a
file, are written by ``COPY (query) TO STDOUT``, which is what lets a 1,000,000-row
export run at a good fraction of a plain ``COPY … TO STDOUT``.

The expressions are kept cheap, because they run once per cell: the escape tests the
first character's code point (``ascii()``, no substring), only text columns are escaped
(numbers, dates and times never begin with a dangerous character), a choice's labels are
escaped once in Python and sent as constants, times are cut from the timestamp's ISO text
rather than formatted by ``to_char``, and for COPY numbers and dates are left to COPY's
own output functions (the same text as a cast). The COPY runs without JIT compilation
(compiling the cell expressions took longer than the whole scan) and with a larger
``work_mem`` for the sort into the list's order (``COPY_SETTINGS``).

Other databases (SQLite for ``make run`` with nothing configured) use the Python path.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, F, Func, TextField, Value, When
from django.db.models.functions import Cast
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.platform.formulas import DANGEROUS, escape

from .base import BOOL, DATE, DATETIME, NUMBER, TEXT, Column

# Session settings for the COPY of an export (``SET LOCAL``: they end with it).
COPY_SETTINGS = ("jit = off", "work_mem = '64MB'")

# The first characters that get the formula escape, as code points: on a UTF-8 database
# ``ascii(x)`` is the code point of x's first character (0 for "", NULL for NULL).
DANGEROUS_CODES = ", ".join(str(ord(c)) for c in DANGEROUS)


def escaped(value: str) -> str | None:
    """The cell the Python path writes for a known string (a choice's label): escaped,
    and "" as NULL (COPY then writes an empty field, as csv.writer does for "")."""
    return escape(value) or None


class EscapedText(Func):
    """A text cell: ``'x`` when x begins with = + - @, a tab or a carriage return; NULL
    when x is empty (``COPY … CSV`` then writes an empty field unquoted, exactly as
    ``csv.writer`` writes both "" and None); else x."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        template = (
            f"CASE WHEN ascii({sql}) IN ({DANGEROUS_CODES}) THEN '''' || {sql} "
            f"WHEN {sql} = '' THEN NULL ELSE {sql} END"
        )
        return template, [*params, *params, *params, *params]


class LocalTimestamp(Func):
    """x in the active time zone as ``YYYY-MM-DD HH:MM:SS``, fractions of a second cut
    (as ``strftime`` does): the first 19 characters of the local timestamp's ISO text
    (psycopg2 sets ``DateStyle`` to ISO on connecting), cheaper than ``to_char``."""

    output_field = TextField()

    def __init__(self, expression, zone: str):
        super().__init__(expression)
        self.zone = zone

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"left(timezone(%s, {sql})::text, 19)", [self.zone, *params]


def _choice_labels(value, labels: dict):
    """A choice's label with the labels escaped in Python and sent as constants; only a
    value that is not one of the choices is escaped by the database."""
    whens = [
        When(Exact(value, key), then=Value(escaped(str(text)), output_field=TextField()))
        for key, text in labels.items()
    ]
    return Case(*whens, default=EscapedText(Cast(value, TextField())), output_field=TextField())


def _expression(path: str, column: Column, copy: bool = False):
    """The SQL giving one column's cells, or None when it has no SQL form. For COPY
    (``copy``) numbers and dates stay typed: COPY writes them with the same output
    functions as a cast to text does, one function call fewer per cell."""
    value = F(path)
    if column.convert is not None:
        labels = getattr(column.convert, "labels", None)
        if labels is not None and column.kind == TEXT:
            return _choice_labels(value, labels)
        sql = getattr(column.convert, "sql", None)
        if sql is None:
            return None
        value = sql(value)
        if column.kind != TEXT or getattr(column.convert, "sql_safe", False):
            return value
        return EscapedText(value)
    if column.kind == TEXT:
        return EscapedText(Cast(value, TextField()))
    if column.kind in (NUMBER, DATE):
        return value if copy else Cast(value, TextField())
    if column.kind == DATETIME:
        return LocalTimestamp(value, timezone.get_current_timezone_name())
    if column.kind == BOOL:
        return Case(
            When(**{path: True}, then=Value(_("yes"))),
            When(**{path: False}, then=Value(_("no"))),
            default=None,
            output_field=TextField(),
        )
    return None


def sql_available(columns: tuple[Column, ...]) -> bool:
    """PostgreSQL, and every column has an SQL form."""
    return connection.vendor == "postgresql" and all(
        _expression(f"_{i}", column) is not None for i, column in enumerate(columns)
    )


def csv_queryset(queryset, paths: list[str], columns: tuple[Column, ...], copy: bool = False):
    """``queryset.values_list`` of the CSV cells, or None where SQL cannot build them
    (``copy``: for ``copy_csv``, numbers and dates left to COPY's output functions)."""
    if connection.vendor != "postgresql":
        return None
    expressions = {}
    for index, (path, column) in enumerate(zip(paths, columns, strict=True)):
        expression = _expression(path, column, copy)
        if expression is None:
            return None
        expressions[f"_csv_{index}"] = expression
    return queryset.annotate(**expressions).values_list(*expressions)


def copy_csv(texts, out) -> int:
    """Write the rows of ``csv_queryset(..., copy=True)`` to the binary file ``out`` with
    PostgreSQL's ``COPY (query) TO STDOUT WITH (FORMAT csv)``: the database writes the
    CSV, streamed to ``out`` as it comes (memory independent of the row count). The
    cells are the same text as the cursor path's, so the bytes are the same.
    Returns the number of rows."""
    try:
        sql, params = texts.query.sql_with_params()
    except EmptyResultSet:  # .none(): a user who sees nothing
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        # For this statement only: no JIT (compiling the many cell expressions costs
        # seconds and gains nothing on a scan that is mostly output), and room to sort
        # the rows into the list's order with fewer passes over temporary files.
        for setting in COPY_SETTINGS:
            cursor.execute(f"SET LOCAL {setting}")
        raw = cursor.cursor  # psycopg2: COPY takes no parameters, so they are bound here
        statement = raw.mogrify(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)
        raw.copy_expert(statement.decode(), out)
        return raw.rowcount
