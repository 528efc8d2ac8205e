"""The entry points: uploaded batches (create, start, run inline or as a Celery task),
``import_file`` and the bulk API's ``receipts_bulk_import``; error reports and progress."""

from __future__ import annotations

import csv
import io
import tempfile

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.platform.formulas import escape_row
from opsdesk.platform.jobs import enqueue_on_commit
from stores.access import ensure_role

from ...models import ImportBatch, ImportSource
from ...rules import IMPORTERS
from .common import (
    ENCODINGS,
    FIELDS,
    SPOOL_BYTES,
    ImportRejected,
    ImportResult,
    max_bytes,
    sync_max_bytes,
)
from .parsing import _Context
from .posting import _write
from .reading import csv_rows
from .staging import Stage, rejected_rows, staging_supported, write_staged
from .validation import RowSource, _validate


class _CsvSink:
    """A CSV written row by row to a temporary file (on disk past ``SPOOL_BYTES``), then
    saved to a FileField: a large error report or rejected-rows file is never held in
    memory. UTF-8 with BOM, so that spreadsheet programs show Chinese text correctly."""

    def __init__(self, header: list[str]):
        self.binary = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        self.text = io.TextIOWrapper(self.binary, encoding="utf-8", newline="")
        self.text.write("\ufeff")
        self.writer = csv.writer(self.text)
        self.writer.writerow(escape_row(header))
        self.count = 0

    def write(self, values: list) -> None:
        """One row; formula cells escaped as in every export (``opsdesk/platform/formulas.py``)."""
        self.writer.writerow(escape_row(values))
        self.count += 1

    def content(self) -> File:
        self.text.flush()
        self.binary.seek(0)
        return File(self.binary, name="report.csv")

    def close(self) -> None:
        self.text.close()  # closes (and removes) the temporary file too


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
        enqueue_on_commit("sales.import_batch_run", batch.pk)
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
        sink.close()
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
    rejected = None
    # On PostgreSQL pass 1 stages the parsed rows and pass 2 is set-based (staging.py).
    stage = Stage() if staging_supported() else None
    try:
        validation = _validate(
            rows, ctx, lambda e: errors.write([e.row, e.column, e.message]), progress, stage
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
        if validation.error_count:
            rejected = _CsvSink([*validation.header, "errors"])
        on_rejected = (lambda raw, msg: rejected.write([*raw, msg])) if rejected else None
        with transaction.atomic():
            if stage is not None:
                if on_rejected is not None:
                    rejected_rows(rows, validation, ctx, on_rejected)
                written = write_staged(
                    stage,
                    ctx,
                    user=user,
                    batch=batch,
                    channel=channel,
                    validation=validation,
                    progress=progress,
                )
            else:
                written = _write(
                    rows,
                    ctx,
                    user=user,
                    batch=batch,
                    channel=channel,
                    validation=validation,
                    on_rejected=on_rejected,
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
    finally:
        errors.close()
        if rejected is not None:
            rejected.close()
        if stage is not None:
            stage.drop()


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
