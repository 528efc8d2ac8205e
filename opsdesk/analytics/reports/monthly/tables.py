"""The report's tables as rows, shared by the XLSX and the PDF."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from opsdesk.analytics.kpis.registry import Kpi

from .data import Figure, MonthlyReport


def _kpi_name(kpi: Kpi) -> str:
    if (translation.get_language() or "").startswith("zh") and kpi.name_zh:
        return kpi.name_zh
    return str(kpi.name)


def _value(figure: Figure | None):
    return figure.value if figure is not None else None


def _title(report: MonthlyReport) -> str:
    return _("Monthly operations report: %(region)s, %(month)s") % {
        "region": report.region_name(),
        "month": f"{report.month:%Y-%m}",
    }


def _kpi_header() -> list[str]:
    return [
        _("KPI"),
        _("Unit"),
        _("This month"),
        _("Last month"),
        _("Change"),
        _("Same month last year"),
        _("Change"),
        _("Numerator"),
        _("Denominator"),
    ]


def _kpi_rows(report: MonthlyReport) -> list[list]:
    return [
        [
            _kpi_name(line.kpi),
            line.kpi.unit,
            _value(line.current),
            _value(line.previous),
            line.change_vs_previous,
            _value(line.last_year),
            line.change_vs_last_year,
            line.current.numerator if line.current else None,
            line.current.denominator if line.current else None,
        ]
        for line in report.kpis
    ]


def _ranking_rows(report: MonthlyReport) -> list[list]:
    rows = []
    for ranking in report.rankings:
        for label, entries in ((_("Best"), ranking.best), (_("Worst"), ranking.worst)):
            for position, (store, value) in enumerate(entries, start=1):
                rows.append(
                    [_kpi_name(ranking.kpi), label, position, store.code, store.name, value]
                )
    return rows


def _failed_rows(report: MonthlyReport) -> list[list]:
    return [[i.template, i.prompt, i.failures, i.stores] for i in report.failed_items]
