"""The parts every export dataset is built from: columns, the registry, ``Prepared``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Case, TextField, Value, When
from django.db.models.functions import Cast, Concat, LPad
from django.db.models.lookups import Exact
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opsdesk.platform.formulas import DANGEROUS

CHUNK_SIZE = 5000
# Query-string keys of the export route itself, never passed to a FilterSet.
RESERVED = frozenset({"dataset", "format", "page"})


class ExportError(Exception):
    """A request that cannot be exported (unknown dataset or format, bad filters)."""

    def __init__(self, messages: str | Iterable[str]):
        self.messages = [str(messages)] if isinstance(messages, str | Promise) else list(messages)
        super().__init__("; ".join(str(m) for m in self.messages))


@dataclass(frozen=True)
class Column:
    """One column: its header and how a database value becomes a cell.

    kind: "text" (escaped against formula injection), "number" (int or Decimal, left a
    number), "date", "datetime", "bool"; ``convert`` maps the raw value first (a choice's
    label, a document number from its id)."""

    title: str | Promise
    kind: str = "text"
    convert: Callable | None = None


def choice_labels(choices) -> Callable:
    """A choice's label in the active language; ``.sql`` builds the same in SQL."""
    labels = dict(choices)

    def label(value):
        return str(labels.get(value, value)) if value is not None else ""

    def sql(expression):
        whens = [
            When(Exact(expression, key), then=Value(str(text))) for key, text in labels.items()
        ]
        return Case(*whens, default=expression, output_field=TextField())

    label.sql = sql
    label.labels = labels  # for the CSV fast path (sqlcsv), which escapes them once
    return label


class _FieldChoices:
    """``Column(convert=CHOICES)``: the labels of the field's own choices, found by
    ``queryset_dataset`` on the list FilterSet's model (so the export needs no import of a
    domain's models)."""

    def __repr__(self) -> str:
        return "CHOICES"


CHOICES = _FieldChoices()


def field_choices(model, path: str):
    """The choices of the field at ``path`` (``schedule__status``) from ``model``."""
    field = None
    for name in path.split("__"):
        field = model._meta.get_field(name)
        model = field.related_model
    return field.choices


def numbered(prefix: str) -> Callable:
    """A document number from its id (``PO-000123``); ``.sql`` builds the same in SQL."""

    def number(pk):
        return f"{prefix}-{pk:06d}"

    def sql(expression):
        return Concat(
            Value(f"{prefix}-"),
            LPad(Cast(expression, TextField()), 6, Value("0")),
            output_field=TextField(),
        )

    number.sql = sql
    # The SQL text needs no formula escape when the prefix does not begin a formula.
    number.sql_safe = bool(prefix) and not prefix.startswith(DANGEROUS)
    return number


def to_querydict(params) -> QueryDict:
    """Request parameters (a QueryDict, or the JSON form ``{key: [values]}`` / ``{key:
    value}`` stored on a job) as a QueryDict without the export's own keys."""
    query = QueryDict(mutable=True)
    if isinstance(params, QueryDict):
        items = params.lists()
    else:
        items = (
            (key, value if isinstance(value, list | tuple) else [value])
            for key, value in (params or {}).items()
        )
    for key, values in items:
        if key in RESERVED:
            continue
        query.setlist(key, [str(v) for v in values if v is not None])
    return query


def params_to_json(params) -> dict[str, list[str]]:
    query = to_querydict(params)
    return {key: values for key, values in query.lists() if any(values)}


class Prepared:
    """A dataset bound to one user and one set of filters.

    ``rows()`` gives typed values (numbers, dates) for XLSX and for the Python CSV path;
    ``csv_rows()``, when the dataset is a queryset on PostgreSQL, gives the CSV cells
    already formatted and escaped by the database (see ``sqlcsv``), so that rows go from
    the server-side cursor to ``csv.writer`` untouched; None otherwise."""

    def __init__(
        self,
        dataset: Dataset,
        count: Callable[[], int],
        rows: Callable[[], Iterator],
        csv_rows: Callable[[], Iterator] | None = None,
        copy_csv: Callable | None = None,
    ):
        self.dataset = dataset
        self._count = count
        self._rows = rows
        self._csv_rows = csv_rows
        self._copy_csv = copy_csv

    def count(self) -> int:
        return self._count()

    def rows(self) -> Iterator[tuple]:
        return self._rows()

    def csv_rows(self) -> Iterator[tuple] | None:
        return self._csv_rows() if self._csv_rows is not None else None

    @property
    def can_copy(self) -> bool:
        return self._copy_csv is not None

    def copy_csv(self, out) -> int:
        """The CSV rows written into ``out`` by PostgreSQL's COPY (see ``can_copy``)."""
        return self._copy_csv(out)


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str | Promise
    columns: tuple[Column, ...]
    prepare_fn: Callable[..., Prepared] = field(repr=False, default=None)
    # The page the export's rows match (for links and docs).
    list_route: str = ""

    def prepare(self, user, params) -> Prepared:
        return self.prepare_fn(self, user, to_querydict(params))

    @property
    def headers(self) -> list[str]:
        return [str(column.title) for column in self.columns]


REGISTRY: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    if dataset.name in REGISTRY:
        raise ValueError(f"dataset {dataset.name} is registered twice")
    REGISTRY[dataset.name] = dataset
    return dataset


def get(name: str) -> Dataset:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ExportError(_("There is no export named “%(name)s”.") % {"name": name}) from None


def all_datasets() -> list[Dataset]:
    return sorted(REGISTRY.values(), key=lambda d: d.name)


TEXT = "text"
NUMBER = "number"
DATE = "date"
DATETIME = "datetime"
BOOL = "bool"
