"""Writes of the reports app: export jobs (create, run, sweep) and report schedules."""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import tempfile
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsdesk.platform.jobs import enqueue_on_commit
from stores.access import ensure_role, user_role

from . import exports
from .datasets import ExportError, params_to_json
from .models import ExportJob, ReportSchedule
from .rules import SCHEDULE_MANAGERS
from .storage import private_storage

logger = logging.getLogger(__name__)


def export_async_rows() -> int:
    return settings.OPSDESK_EXPORT_ASYNC_ROWS


def export_job_create(*, user, dataset: str, fmt: str, params, count: int | None = None):
    """Check the request (raises ``ExportError``: nothing is created), record the job and
    queue it once the transaction commits."""
    if user_role(user) is None:
        raise ExportError(_("Your account may not export."))
    prepared = exports.prepare(dataset, fmt, user, params)
    total = prepared.count() if count is None else count
    if fmt == "xlsx" and total > exports.XLSX_MAX_ROWS:
        raise ExportError(
            _("More than %(rows)s rows do not fit in an XLSX sheet: export CSV instead.")
            % {"rows": f"{exports.XLSX_MAX_ROWS:,}"}
        )
    job = ExportJob.objects.create(
        user=user,
        dataset=dataset,
        format=fmt,
        params=params_to_json(params),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=total,
    )
    enqueue_on_commit("reports.export_job_run", job.pk)
    return job


def _temp_dir() -> str:
    path = os.path.join(private_storage.location, "tmp")
    os.makedirs(path, exist_ok=True)
    return path


def _clear_temp_files(job_id: int) -> None:
    """Files of an attempt that died (a killed worker): a new attempt starts from scratch."""
    directory = _temp_dir()
    prefix = f"export-{job_id}-"
    for name in os.listdir(directory):
        if name.startswith(prefix):
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(directory, name))


def export_job_run(*, job_id: int) -> dict:
    """Build a job's file. Idempotent and safe to redeliver: a finished job is left
    alone; any other state starts again from scratch into a new temporary file, which
    replaces the final file atomically (``os.replace``) only when complete."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return {"job": job_id, "status": "missing"}
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED):
            return {"job": job.pk, "status": job.status, "rows": job.rows_done}
        job.status = ExportJob.Status.RUNNING
        job.attempts += 1
        job.rows_done = 0
        job.error = ""
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "rows_done", "error", "started_at"])
    _clear_temp_files(job.pk)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, moved on success)
        dir=_temp_dir(), prefix=f"export-{job.pk}-", suffix=f".{job.format}", delete=False
    )
    try:
        with translation.override(job.language):
            prepared = exports.prepare(job.dataset, job.format, job.user, job.params)
            with handle:
                rows = exports.write_prepared(prepared, job.format, handle, progress)
        now = timezone.now()
        name = f"exports/{now:%Y/%m}/{job.dataset}-{job.pk}-{uuid.uuid4().hex[:12]}.{job.format}"
        final = private_storage.path(name)
        os.makedirs(os.path.dirname(final), exist_ok=True)
        os.replace(handle.name, final)
    except Exception as error:  # recorded on the job, then re-raised for the task log
        handle.close()
        if os.path.exists(handle.name):
            os.remove(handle.name)
        message = (
            "; ".join(str(m) for m in error.messages)
            if isinstance(error, ExportError)
            else _("The export failed: %(error)s") % {"error": error.__class__.__name__}
        )
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now()
        )
        if isinstance(error, ExportError):
            return {"job": job.pk, "status": "failed", "error": message}
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file=name,
        file_name=exports.file_name(job.dataset, job.format, job.created_at),
        rows_done=rows,
        rows_total=rows,
        finished_at=timezone.now(),
    )
    return {"job": job.pk, "status": "done", "rows": rows}


def export_jobs_sweep(*, days: int | None = None, now: datetime.datetime | None = None) -> int:
    """Delete the files of jobs older than ``days`` (OPSDESK_EXPORT_KEEP_DAYS) and mark
    them expired; idempotent. Returns the number of jobs expired."""
    days = settings.OPSDESK_EXPORT_KEEP_DAYS if days is None else days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    expired = 0
    # Days after any time limit: a job still queued or running then is dead too.
    old = ExportJob.objects.filter(created_at__lt=cutoff).exclude(status=ExportJob.Status.EXPIRED)
    for job in old.iterator():
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.EXPIRED, file="", rows_done=0
        )
        expired += 1
    return expired


# --- Report schedules ----------------------------------------------------------------


def _save_schedule(schedule: ReportSchedule) -> ReportSchedule:
    schedule.full_clean()
    schedule.save()
    return schedule


def report_schedule_create(
    *, user, region, recipients: str, day_of_month: int, language: str, active: bool = True
) -> ReportSchedule:
    ensure_role(user, SCHEDULE_MANAGERS)
    schedule = ReportSchedule(
        region=region,
        recipients=recipients.strip(),
        day_of_month=day_of_month,
        language=language,
        active=active,
        created_by=user,
    )
    return _save_schedule(schedule)


def report_schedule_update(*, user, schedule: ReportSchedule, **changes) -> ReportSchedule:
    ensure_role(user, SCHEDULE_MANAGERS)
    allowed = {"region", "recipients", "day_of_month", "language", "active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": sorted(unknown)})
    for key, value in changes.items():
        setattr(schedule, key, value.strip() if key == "recipients" else value)
    return _save_schedule(schedule)


def report_schedule_delete(*, user, schedule: ReportSchedule) -> None:
    ensure_role(user, SCHEDULE_MANAGERS)
    schedule.delete()
