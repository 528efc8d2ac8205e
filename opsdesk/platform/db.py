"""Database helpers shared by the domain apps.

``bulk_update_values`` writes many rows' new values in one ``UPDATE … FROM (VALUES …)``
per batch on PostgreSQL. Django's ``bulk_update`` builds a ``CASE WHEN pk = … THEN …``
per field and row instead: building and evaluating it grows with the square of the batch
(10,000 reorder rules took 31 s of a 32 s job; the ledger's level updates were the
largest part of posting 100,000 movements). Other databases keep ``bulk_update``.

``insert_new`` inserts rows that a unique constraint may refuse (``INSERT … ON CONFLICT DO
NOTHING RETURNING``) and tells which were inserted, which ``bulk_create(…,
ignore_conflicts=True)`` does not: it returns every object given, inserted or not.

``copy_rows`` writes rows given as ``COPY`` text lines (the demo chain's bulk history).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def bulk_update_values(
    model: type[models.Model], objs: Sequence[models.Model], fields: list[str], batch_size=2000
) -> None:
    """Save ``fields`` of ``objs`` (rows that exist, with their primary keys)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields, batch_size=batch_size)
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    # Each value is a parameter cast to its column's type, so VALUES rows are typed.
    row = "(" + ", ".join(f"%s::{column.db_type(connection)}" for column in columns) + ")"
    names = ", ".join(quote(column.column) for column in columns)
    assignments = ", ".join(f"{quote(c.column)} = v.{quote(c.column)}" for c in columns[1:])
    pk = quote(meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params = [
                column.get_db_prep_save(getattr(obj, column.attname), connection)
                for obj in batch
                for column in columns
            ]
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([row] * len(batch))}) AS v({names}) "
                f"WHERE t.{pk} = v.{pk}",
                params,
            )


def insert_new(
    model: type[M], objs: Sequence[M], *, key: Sequence[str], batch_size: int = 1000
) -> list[M]:
    """Insert ``objs``, skipping any that a unique constraint refuses (a row already there,
    or one a concurrent transaction inserted first), and return those actually inserted,
    with their primary keys set. ``key`` names the fields that tell the objects apart (each
    object's values are distinct among ``objs``): the database returns them with each new
    row's key. PostgreSQL and SQLite (3.35 and later): ``INSERT … ON CONFLICT DO NOTHING
    RETURNING``, one statement per batch."""
    if not objs:
        return []
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not (f.primary_key and f.db_returning)]
    keys = [meta.get_field(name) for name in key]
    by_key = {tuple(getattr(obj, f.attname) for f in keys): obj for obj in objs}
    if len(by_key) != len(objs):
        raise ValueError(f"insert_new: the objects' {list(key)} are not distinct")
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    names = ", ".join(quote(f.column) for f in fields)
    returning = ", ".join(quote(f.column) for f in (meta.pk, *keys))
    inserted = []
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params = [
                f.get_db_prep_save(f.pre_save(obj, add=True), connection)
                for obj in batch
                for f in fields
            ]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({names}) "  # noqa: S608
                f"VALUES {', '.join([row] * len(batch))} "
                f"ON CONFLICT DO NOTHING RETURNING {returning}",
                params,
            )
            for pk, *values in cursor.fetchall():
                values = [f.to_python(v) for f, v in zip(keys, values, strict=True)]
                obj = by_key[tuple(values)]
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
                inserted.append(obj)
    return inserted


COPY_NULL = "\\N"


def copy_rows(model, columns, lines) -> None:
    """Write rows given as COPY text lines (tab-separated, ``\\N`` for NULL, no tabs or
    newlines inside values): PostgreSQL ``COPY``, or ``bulk_create`` in batches elsewhere."""
    raw = getattr(connection.cursor().cursor, "copy_expert", None)
    if connection.vendor != "postgresql" or raw is None:
        batch = []
        for line in lines:
            values = [None if v == COPY_NULL else v for v in line.rstrip("\n").split("\t")]
            batch.append(model(**dict(zip(columns, values, strict=True))))
            if len(batch) >= 5000:
                model.objects.bulk_create(batch)
                batch = []
        model.objects.bulk_create(batch)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)"
    buffer = io.StringIO()
    for written, line in enumerate(lines, start=1):
        buffer.write(line)
        if written % 200_000 == 0:
            _flush(sql, buffer)
    _flush(sql, buffer)


def _flush(sql, buffer) -> None:
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)
    buffer.seek(0)
    buffer.truncate()
