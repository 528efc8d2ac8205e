"""POS imports: CSV files and the bulk API go through the same two passes.

1. **Validate** (no transaction, nothing written): stream every row, parse it, check
   stores (unknown and out-of-scope alike), SKUs, dates, numbers, returns, duplicate lines
   in the input. Errors go to a CSV report as they are found (row, column, message).
2. **Write** (one transaction): stream the rows again, skip receipts that already exist
   (idempotent), bulk-insert receipts and lines in chunks, post sale / customer-return
   movements to the stock ledger, and recompute the touched store-days' ``DailySales``.

In all-or-nothing mode any error stops after pass 1 with nothing written. In good-rows
mode, every receipt with a bad line is left out whole and its rows are returned as a
file with an ``errors`` column. The file is never read whole into memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.models import MovementKind, Product
from inventory.services import MovementSpec, stock_movements_post
from stores.access import ensure_role
from stores.models import Store

from ..models import ImportBatch, ImportSource, Receipt, SalesLine
from ..rules import IMPORTERS
from .daily import daily_sales_recompute

REQUIRED_FIELDS = (
    "store",
    "receipt_number",
    "sold_at",
    "line_number",
    "sku",
    "quantity",
    "unit_price",
    "net_amount",
)
OPTIONAL_FIELDS = ("business_date", "till", "cashier", "discount", "is_return")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
FIELD_LABELS = {
    "store": gettext_lazy("Store code"),
    "receipt_number": gettext_lazy("Receipt number"),
    "sold_at": gettext_lazy("Sold at (date and time)"),
    "line_number": gettext_lazy("Line number"),
    "sku": gettext_lazy("SKU"),
    "quantity": gettext_lazy("Quantity"),
    "unit_price": gettext_lazy("Unit price"),
    "net_amount": gettext_lazy("Net amount"),
    "business_date": gettext_lazy("Business date"),
    "till": gettext_lazy("Till"),
    "cashier": gettext_lazy("Cashier"),
    "discount": gettext_lazy("Discount"),
    "is_return": gettext_lazy("Return flag"),
}
ENCODINGS = ("auto", "utf-8", "gb18030")
TRUE_VALUES = {"1", "y", "yes", "true", "t", "r", "return", "是"}
FALSE_VALUES = {"", "0", "n", "no", "false", "f", "否"}
CHUNK = 2000
FIRST_ERRORS = 200
PROGRESS_EVERY = 5000
MONEY_PLACES = Decimal("0.01")
QTY_PLACES = Decimal("0.001")
MAX_AMOUNT = Decimal("1e11")


def max_bytes() -> int:
    return int(getattr(settings, "SALES_IMPORT_MAX_BYTES", 2 * 1024**3))


def sync_max_bytes() -> int:
    """Files up to this size are imported in the request; larger ones by a Celery task."""
    return int(getattr(settings, "SALES_IMPORT_SYNC_MAX_BYTES", 1024**2))


@dataclass(frozen=True)
class RowError:
    row: str  # the file's row number (header = 1) or the API's receipts[i].lines[j]
    column: str
    message: str


class ImportRejected(ValidationError):
    """A file-level problem (encoding, header, size, empty): nothing was written."""


@dataclass
class ParsedLine:
    store_id: int
    business_date: datetime.date
    sold_at: datetime.datetime
    receipt_number: str
    till: str
    cashier: str
    line_number: int
    sku: str
    product_id: int
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    net_amount: Decimal

    @property
    def receipt_key(self) -> tuple[int, str, datetime.date]:
        return (self.store_id, self.receipt_number, self.business_date)


@dataclass
class ImportResult:
    rows: int = 0
    receipts_created: int = 0
    lines_created: int = 0
    duplicates: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


# --- Reading the input ---------------------------------------------------------------


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
            seen_data = False
            for values in reader:
                row_number = reader.line_num
                if not any(v.strip() for v in values):
                    continue
                seen_data = True
                canonical = {
                    name: (values[i].strip() if i < len(values) else "")
                    for name, i in index.items()
                }
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


# --- Parsing one row -----------------------------------------------------------------


class _Context:
    """Lookups made once per import: the stores the user may import into, and SKUs."""

    def __init__(self, user):
        stores = Store.objects.visible_to(user) if user is not None else Store.objects.all()
        self.stores = {s.code.lower(): s for s in stores.only("pk", "code", "time_zone")}
        self.zones = {s.pk: zoneinfo.ZoneInfo(s.time_zone) for s in self.stores.values()}
        self.skus = dict(Product.objects.values_list("sku", "pk"))


def _decimal(value: str, places: Decimal) -> Decimal | None:
    try:
        number = Decimal(value.replace(",", "")) if value else None
    except InvalidOperation:
        return None
    if number is None or not number.is_finite() or abs(number) >= MAX_AMOUNT:
        return None
    if number != number.quantize(places):
        return None
    return number.quantize(places)


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        return None


def _datetime(value: str, zone) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(value.replace("/", "-"))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment


def parse_row(row: str, values: dict[str, str], ctx: _Context) -> tuple[ParsedLine | None, list]:
    """A parsed line, or the row's errors (every problem of the row, not just the first)."""
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(row, column, str(message)))

    for name in REQUIRED_FIELDS:
        if not values.get(name):
            error(name, _("This value is required."))
    store = ctx.stores.get(values.get("store", "").lower())
    if values.get("store") and store is None:
        # Unknown and out-of-scope stores are refused alike: existence does not leak.
        error("store", _("Unknown store code %(code)s.") % {"code": values["store"]})
    zone = ctx.zones[store.pk] if store else datetime.UTC
    sold_at = _datetime(values.get("sold_at", ""), zone)
    if values.get("sold_at") and sold_at is None:
        error("sold_at", _("Not a date and time (use YYYY-MM-DD HH:MM[:SS])."))
    business_date = None
    if values.get("business_date"):
        business_date = _date(values["business_date"])
        if business_date is None:
            error("business_date", _("Not a date (use YYYY-MM-DD)."))
    elif sold_at is not None:
        business_date = sold_at.astimezone(zone).date()
    line_number = None
    if values.get("line_number"):
        try:
            line_number = int(values["line_number"])
            if not 1 <= line_number <= 1_000_000:
                raise ValueError
        except ValueError:
            error("line_number", _("Not a line number (a whole number from 1)."))
    product_id = ctx.skus.get(values.get("sku", ""))
    if values.get("sku") and product_id is None:
        error("sku", _("Unknown SKU %(sku)s.") % {"sku": values["sku"]})
    numbers = {}
    for name, places in (
        ("quantity", QTY_PLACES),
        ("unit_price", MONEY_PLACES),
        ("net_amount", MONEY_PLACES),
        ("discount", MONEY_PLACES),
    ):
        raw = values.get(name, "")
        if name == "discount" and not raw:
            numbers[name] = Decimal("0.00")
            continue
        if not raw:
            continue
        numbers[name] = _decimal(raw, places)
        if numbers[name] is None:
            limit = 3 if name == "quantity" else 2
            error(name, _("Not a number with at most %(places)s decimals.") % {"places": limit})
    flag = values.get("is_return", "").strip().lower()
    if flag not in TRUE_VALUES | FALSE_VALUES:
        error("is_return", _("Not a yes/no value."))
    is_return = flag in TRUE_VALUES
    quantity = numbers.get("quantity")
    if quantity is not None:
        if quantity == 0:
            error("quantity", _("The quantity cannot be zero."))
        elif quantity < 0 and not is_return:
            error("quantity", _("A negative quantity must be marked as a return."))
        elif quantity > 0 and is_return:
            error("quantity", _("A return must have a negative quantity."))
    if numbers.get("unit_price") is not None and numbers["unit_price"] < 0:
        error("unit_price", _("The unit price cannot be negative."))
    if errors:
        return None, errors
    return (
        ParsedLine(
            store_id=store.pk,
            business_date=business_date,
            sold_at=sold_at,
            receipt_number=values["receipt_number"][:64],
            till=values.get("till", "")[:32],
            cashier=values.get("cashier", "")[:100],
            line_number=line_number,
            sku=values["sku"],
            product_id=product_id,
            quantity=quantity,
            unit_price=numbers["unit_price"],
            discount=numbers["discount"],
            net_amount=numbers["net_amount"],
        ),
        [],
    )


def _raw_receipt_key(values: dict[str, str]) -> tuple[str, str]:
    return (values.get("store", "").lower(), values.get("receipt_number", ""))


# --- The two passes --------------------------------------------------------------------


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


def _write(
    rows: RowSource,
    ctx: _Context,
    *,
    user,
    batch: ImportBatch | None,
    channel: str,
    validation: _Validation,
    on_rejected: Callable[[list[str], str], None] | None,
    progress,
) -> ImportResult:
    """Pass 2, inside the caller's transaction."""
    result = ImportResult(rows=validation.rows)
    created: dict[tuple, int] = {}  # receipt key -> id, for receipts made by this import
    existing: set[tuple] = set()  # receipts that were there before: skipped (idempotent)
    touched: set[tuple[int, datetime.date]] = set()
    seen_lines: set[int] = set()
    chunk: list[ParsedLine] = []
    done = 0

    def flush() -> None:
        nonlocal chunk
        if chunk:
            _write_chunk(chunk, ctx, user, batch, channel, created, existing, touched, result)
            chunk = []

    for row, values, raw in rows():
        if row == "header":
            continue
        done += 1
        parsed, errors = parse_row(row, values, ctx)
        bad_receipt = _raw_receipt_key(values) in validation.bad_receipts
        if parsed is not None and not bad_receipt:
            key = hash((*parsed.receipt_key, parsed.line_number))
            if key in seen_lines:
                parsed = None
            seen_lines.add(key)
        if parsed is None or bad_receipt:
            if on_rejected is not None:
                messages = [f"{e.column}: {e.message}" for e in errors] or [
                    _("Another line of this receipt has an error.")
                ]
                on_rejected(raw, "; ".join(messages))
            continue
        chunk.append(parsed)
        if len(chunk) >= CHUNK:
            flush()
            if progress:
                progress(done, validation.rows)
    flush()
    daily_sales_recompute(store_dates=touched)
    result.written = True
    return result


def _write_chunk(chunk, ctx, user, batch, channel, created, existing, touched, result) -> None:
    keys = {line.receipt_key for line in chunk} - set(created) - existing
    if keys:
        stores = {k[0] for k in keys}
        numbers = {k[1] for k in keys}
        dates = {k[2] for k in keys}
        for found in Receipt.objects.filter(
            store_id__in=stores, receipt_number__in=numbers, business_date__in=dates
        ).values_list("store_id", "receipt_number", "business_date"):
            if found in keys:
                existing.add(found)
    new_receipts: dict[tuple, Receipt] = {}
    for line in chunk:
        key = line.receipt_key
        if key in existing or key in created or key in new_receipts:
            continue
        new_receipts[key] = Receipt(
            store_id=line.store_id,
            business_date=line.business_date,
            sold_at=line.sold_at,
            receipt_number=line.receipt_number,
            till=line.till,
            cashier=line.cashier,
            source=channel,
            batch=batch,
        )
    for key, receipt in zip(
        new_receipts, Receipt.objects.bulk_create(new_receipts.values()), strict=True
    ):
        created[key] = receipt.pk
    result.receipts_created += len(new_receipts)
    lines, movements = [], defaultdict(list)
    for line in chunk:
        key = line.receipt_key
        if key in existing:
            result.duplicates += 1
            continue
        lines.append(
            SalesLine(
                receipt_id=created[key],
                line_number=line.line_number,
                sku=line.sku,
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                net_amount=line.net_amount,
            )
        )
        touched.add((line.store_id, line.business_date))
        kind = MovementKind.SALE if line.quantity > 0 else MovementKind.CUSTOMER_RETURN
        zone_key = ctx.zones[line.store_id].key
        movements[(line.business_date, zone_key)].append(
            MovementSpec(
                store_id=line.store_id,
                product_id=line.product_id,
                kind=kind,
                quantity=-line.quantity,
                reference=f"POS {line.receipt_number}",
            )
        )
    SalesLine.objects.bulk_create(lines)
    result.lines_created += len(lines)
    for (date, zone_key), specs in movements.items():
        # The ledger dates a movement by its store's business date at ``at``: noon of the
        # sale's business date in the store's zone.
        at = datetime.datetime.combine(date, datetime.time(12), zoneinfo.ZoneInfo(zone_key))
        stock_movements_post(user=user, movements=specs, at=at, check_scope=False)


# --- Entry points ----------------------------------------------------------------------


class _CsvSink:
    """A CSV written row by row to a temporary file, then saved to a FileField."""

    def __init__(self, header: list[str]):
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)
        self.writer.writerow(header)
        self.count = 0

    def write(self, values: list) -> None:
        self.writer.writerow(values)
        self.count += 1

    def content(self) -> ContentFile:
        # UTF-8 with BOM: spreadsheet programs then show Chinese text correctly.
        return ContentFile(("\ufeff" + self.buffer.getvalue()).encode("utf-8"))


def _progress_key(batch_id: int) -> str:
    return f"sales:import:{batch_id}:done"


def batch_progress(batch: ImportBatch) -> tuple[int, int]:
    """(rows done, rows total); while the write transaction runs, the count is in the cache."""
    if batch.status == ImportBatch.Status.RUNNING:
        done = cache.get(_progress_key(batch.pk))
        if done is not None:
            return int(done), batch.rows_total
    return batch.rows_done, batch.rows_total


def import_batch_create(
    *,
    user,
    upload,
    source: ImportSource | None = None,
    encoding: str = "auto",
    mode: str = ImportBatch.Mode.ALL_OR_NOTHING,
) -> ImportBatch:
    """Store an uploaded file as a batch (nothing imported yet): the preview comes next."""
    ensure_role(user, IMPORTERS)
    if encoding not in ENCODINGS:
        raise ValidationError({"encoding": _("Choose UTF-8, GB18030 or automatic.")})
    if upload.size > max_bytes():
        raise ValidationError(
            {
                "file": _("The file is larger than the limit of %(limit)s bytes.")
                % {"limit": max_bytes()}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    batch = ImportBatch(
        source=source,
        uploaded_by=user,
        file_name=(getattr(upload, "name", "") or "upload.csv")[:255],
        file_size=upload.size,
        encoding=encoding if encoding != "auto" else (source.encoding if source else "auto"),
        column_mapping=dict(source.column_mapping) if source else {},
        mode=mode,
    )
    batch.file.save(f"pos-{timezone.now():%Y%m%d%H%M%S}.csv", File(upload), save=False)
    batch.save()
    return batch


def import_batch_start(
    *,
    user,
    batch: ImportBatch,
    mapping: dict[str, str] | None = None,
    mode: str | None = None,
    encoding: str | None = None,
    remember_mapping: bool = False,
) -> ImportBatch:
    """Confirm the mapping and run the batch: inline when small, else as a Celery task."""
    ensure_role(user, IMPORTERS)
    if batch.status not in (ImportBatch.Status.UPLOADED,):
        raise ValidationError(_("This batch has already been started."))
    if mapping is not None:
        batch.column_mapping = {k: v for k, v in mapping.items() if k in FIELDS and v}
    if mode is not None:
        batch.mode = mode
    if encoding is not None:
        if encoding not in ENCODINGS:
            raise ValidationError({"encoding": _("Choose UTF-8, GB18030 or automatic.")})
        batch.encoding = encoding
    if remember_mapping and batch.source is not None:
        batch.source.column_mapping = batch.column_mapping
        batch.source.save(update_fields=["column_mapping"])
    batch.status = ImportBatch.Status.QUEUED
    batch.save(update_fields=["column_mapping", "mode", "encoding", "status"])
    if batch.file_size > sync_max_bytes():
        from ..tasks import import_batch_run_task

        transaction.on_commit(lambda: import_batch_run_task.delay(batch.pk))
    else:
        import_batch_run(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def import_batch_run(*, batch_id: int) -> ImportBatch:
    """Run one queued batch (the Celery task and the inline path). Safe to call again:
    a finished batch is left as it is, and a re-run skips the receipts already written."""
    batch = ImportBatch.objects.select_related("uploaded_by", "source").get(pk=batch_id)
    if batch.status in (
        ImportBatch.Status.DONE,
        ImportBatch.Status.REJECTED,
        ImportBatch.Status.FAILED,
    ):
        return batch
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    batch.status = ImportBatch.Status.RUNNING

    def progress(done: int, total: int) -> None:
        if total == 0:  # validation pass: outside any transaction, visible at once
            ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done)
        else:
            cache.set(_progress_key(batch.pk), done, 24 * 3600)

    try:
        import_file(
            path_opener=batch.file.open if batch.file else None,
            user=batch.uploaded_by,
            encoding=batch.encoding,
            mapping=batch.column_mapping,
            mode=batch.mode,
            batch=batch,
            size=batch.file_size,
            progress=progress,
        )
    except ImportRejected as error:
        _finish(batch, ImportBatch.Status.REJECTED, file_error=" ".join(error.messages))
    except Exception:
        _finish(batch, ImportBatch.Status.FAILED, file_error=_("The import failed; try again."))
        raise
    return batch


def _finish(batch: ImportBatch, status: str, file_error: str = "") -> None:
    if file_error:
        batch.errors = [{"row": "", "column": "", "message": file_error}]
        batch.error_count = 1
        sink = _CsvSink(["row", "column", "message"])
        sink.write(["", "", file_error])
        batch.error_file.save(f"errors-{batch.pk}.csv", sink.content(), save=False)
    batch.status = status
    batch.finished_at = timezone.now()
    batch.save()
    cache.delete(_progress_key(batch.pk))


def import_file(
    *,
    path_opener,
    user,
    encoding: str = "auto",
    mapping: dict[str, str] | None = None,
    mode: str = ImportBatch.Mode.ALL_OR_NOTHING,
    batch: ImportBatch | None = None,
    size: int | None = None,
    progress=None,
) -> ImportResult:
    """Import one CSV file (``path_opener()`` opens it in binary mode), in two passes."""
    if path_opener is None:
        raise ImportRejected(_("The batch has no file."), code="empty")
    if size is not None and size > max_bytes():
        raise ImportRejected(
            _("The file is larger than the limit of %(limit)s bytes.") % {"limit": max_bytes()},
            code="too_large",
        )
    if size == 0:
        raise ImportRejected(_("The file is empty."), code="empty")
    if encoding not in ENCODINGS:
        raise ImportRejected(_("Choose UTF-8, GB18030 or automatic."), code="encoding")
    mapping = mapping or {}

    def rows():
        return csv_rows(path_opener, encoding=encoding, mapping=mapping)

    return _run(
        rows,
        user=user,
        mode=mode,
        batch=batch,
        channel=ImportBatch.Channel.FILE,
        progress=progress,
    )


def _run(rows: RowSource, *, user, mode, batch, channel, progress) -> ImportResult:
    if user is not None:
        ensure_role(user, IMPORTERS)
    ctx = _Context(user)
    errors = _CsvSink(["row", "column", "message"])
    validation = _validate(
        rows, ctx, lambda e: errors.write([e.row, e.column, e.message]), progress
    )
    result = ImportResult(
        rows=validation.rows,
        error_count=validation.error_count,
        errors=validation.first_errors,
    )
    if batch is not None:
        batch.rows_total = validation.rows
        batch.rows_done = 0
        batch.error_count = validation.error_count
        batch.errors = [e.__dict__ for e in validation.first_errors]
        if validation.error_count:
            batch.error_file.save(f"errors-{batch.pk}.csv", errors.content(), save=False)
        batch.save()
    if validation.error_count and mode != ImportBatch.Mode.GOOD_ROWS:
        if batch is not None:
            _finish(batch, ImportBatch.Status.REJECTED)
        return result
    rejected = None
    if validation.error_count:
        rejected = _CsvSink([*validation.header, "errors"])
    with transaction.atomic():
        written = _write(
            rows,
            ctx,
            user=user,
            batch=batch,
            channel=channel,
            validation=validation,
            on_rejected=(lambda raw, msg: rejected.write([*raw, msg])) if rejected else None,
            progress=progress,
        )
    result.receipts_created = written.receipts_created
    result.lines_created = written.lines_created
    result.duplicates = written.duplicates
    result.written = True
    if batch is not None:
        batch.rows_done = validation.rows
        batch.receipts_created = written.receipts_created
        batch.lines_created = written.lines_created
        batch.duplicates = written.duplicates
        if rejected is not None:
            batch.rejected_file.save(f"rejected-{batch.pk}.csv", rejected.content(), save=False)
        _finish(batch, ImportBatch.Status.DONE)
    return result


def receipts_bulk_import(*, user, receipts: list[dict]) -> ImportResult:
    """The POS integrations' endpoint: receipts with their lines, all or nothing.

    Each line is flattened to the CSV's canonical fields, so the rules are the same.
    """
    ensure_role(user, IMPORTERS)

    def rows():
        yield "header", {}, list(FIELDS)
        for i, receipt in enumerate(receipts):
            head = {
                name: _as_text(receipt.get(name))
                for name in ("store", "receipt_number", "sold_at", "business_date", "till")
            }
            head["cashier"] = _as_text(receipt.get("cashier"))
            for j, line in enumerate(receipt.get("lines") or []):
                values = dict(head)
                for name in ("line_number", "sku", "quantity", "unit_price", "net_amount"):
                    values[name] = _as_text(line.get(name))
                values["discount"] = _as_text(line.get("discount"))
                values["is_return"] = "yes" if line.get("is_return") else ""
                yield f"receipts[{i}].lines[{j}]", values, []

    batch = ImportBatch.objects.create(
        channel=ImportBatch.Channel.API, uploaded_by=user, status=ImportBatch.Status.RUNNING
    )
    return _run(
        rows,
        user=user,
        mode=ImportBatch.Mode.ALL_OR_NOTHING,
        batch=batch,
        channel=ImportBatch.Channel.API,
        progress=None,
    )


def _as_text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()
