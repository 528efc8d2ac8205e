"""Datasets read from a list's scoped selector, narrowed by the list's FilterSet."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from django.http import QueryDict

from .base import (
    CHOICES,
    CHUNK_SIZE,
    Column,
    Dataset,
    ExportError,
    Prepared,
    choice_labels,
    field_choices,
)


def filtered_queryset(selector, filterset_class, user, query: QueryDict):
    """The list page's queryset: the scoped selector narrowed by the page's FilterSet."""
    request = SimpleNamespace(user=user, GET=query, query_params=query)
    filterset = filterset_class(query, queryset=selector(user=user), request=request)
    if not filterset.is_valid():
        problems = []
        for name, errors in filterset.errors.items():
            label = filterset.form.fields[name].label if name in filterset.form.fields else name
            problems.extend(f"{label}: {error}" for error in errors)
        raise ExportError(problems)
    return filterset.qs


def queryset_dataset(
    name: str,
    title,
    *,
    selector,
    filterset,
    fields: list[tuple[str, Column]],
    list_route: str = "",
) -> Dataset:
    paths = [path for path, _column in fields]
    model = filterset._meta.model
    fields = [
        (path, column)
        if column.convert is not CHOICES
        else (path, dataclasses.replace(column, convert=choice_labels(field_choices(model, path))))
        for path, column in fields
    ]

    def prepare(dataset: Dataset, user, query: QueryDict) -> Prepared:
        queryset = filtered_queryset(selector, filterset, user, query).prefetch_related(None)

        def rows():
            return queryset.values_list(*paths).iterator(chunk_size=CHUNK_SIZE)

        def csv_rows():
            from .sqlcsv import csv_queryset

            texts = csv_queryset(queryset, paths, dataset.columns)
            return texts.iterator(chunk_size=CHUNK_SIZE) if texts is not None else None

        def copy_csv(out):
            from .sqlcsv import copy_csv, csv_queryset

            return copy_csv(csv_queryset(queryset, paths, dataset.columns, copy=True), out)

        from .sqlcsv import sql_available

        copy = copy_csv if sql_available(dataset.columns) else None
        return Prepared(dataset, queryset.count, rows, csv_rows, copy)

    return Dataset(
        name=name,
        title=title,
        columns=tuple(column for _path, column in fields),
        prepare_fn=prepare,
        list_route=list_route,
    )
