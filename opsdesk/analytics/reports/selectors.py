"""Reads of the reports app, scoped to the user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import ExportJob, ReportSchedule


def export_job_list(*, user) -> QuerySet[ExportJob]:
    """The user's own export jobs (nobody else's, whatever the role)."""
    return ExportJob.objects.visible_to(user).order_by("-created_at", "-pk")


def export_job_get(*, user, pk: int) -> ExportJob:
    return get_object_or_404(export_job_list(user=user), pk=pk)


def report_schedule_list(*, user) -> QuerySet[ReportSchedule]:
    return (
        ReportSchedule.objects.visible_to(user)
        .select_related("region", "created_by")
        .order_by("region__code", "pk")
    )


def report_schedule_get(*, user, pk: int) -> ReportSchedule:
    return get_object_or_404(report_schedule_list(user=user), pk=pk)
