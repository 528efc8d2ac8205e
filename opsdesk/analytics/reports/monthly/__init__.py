"""The monthly operations report of one region, and its scheduled emails.

Contents, for a region and a month (every figure over the stores of the region that the
reader may see, read through the KPI and checklist selectors):

- every KPI the reader may read (``registry.kpis_for``) for the month against the month
  before and the same month last year: region roll-ups, always Σ numerators ÷ Σ
  denominators (``kpi_rollup``);
- the best and worst stores per KPI that month (direction from the KPI registry);
- checklist failures: the items failed most often, with the stores failing them;
- complaints, when the customers app provides ``customers.selectors.complaint_report``
  (it does not yet: the section is left out, never filled with made-up figures).

Rendered as an XLSX workbook (one sheet per section) or a PDF (reportlab).
"""

from .data import (  # noqa: F401
    FAILED_ITEMS,
    RANKED,
    ComplaintSection,
    FailedItem,
    Figure,
    KpiLine,
    MonthlyReport,
    Ranking,
    SystemReader,
    _figure,
    _ranking,
    complaints_section,
    failed_items,
    first_of_month,
    month_end,
    monthly_report,
    parse_month,
    previous_month,
    same_month_last_year,
)
from .pdf import (  # noqa: F401
    _fmt,
    render_pdf,
)
from .sending import (  # noqa: F401
    _schedule_message,
    due_month,
    logger,
    report_file_name,
    schedule_send,
    send_due_reports,
)
from .tables import (  # noqa: F401
    _failed_rows,
    _kpi_header,
    _kpi_name,
    _kpi_rows,
    _ranking_rows,
    _title,
    _value,
)
from .xlsx import (  # noqa: F401
    XLSX_TYPE,
    render_xlsx,
)
