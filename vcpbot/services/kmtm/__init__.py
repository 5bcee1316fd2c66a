"""KMTM reporting: periods, member counts, and logging (and undoing) contacts.

A period takes contacts on its own days and, for a contact from its last evening
that reaches the VCP later, during a grace window after its last day (the
``kmtm.grace_days`` setting) until the coordinator closes it. Closing ends it at
once: nothing is counted after the close, whatever the window says.

Aggregate only: logging a contact adds 1 to three counters (category, relation,
follow-up), each keyed by period and association; nothing else is written, no
row per contact and no time. The parts: ``_counting`` (periods, member counts,
contacts), ``_ledger`` and ``_report`` (one release per period, the tables),
``_chart`` and ``_export`` (PNG/SVG, CSV/XLSX), ``_preview`` and ``_undo`` (in-memory
windows, one per process).

Who may act (VCPs log, association admins register member counts, the
coordinator manages periods and reads reports) is checked by the cog; these
functions take plain values.
"""

from vcpbot.services.kmtm._chart import (
    alt_text,
    render_png,
    render_svg,
)
from vcpbot.services.kmtm._counting import (
    MEMBERS_MAX,
    PERIOD_NAME_MAX,
    close_period,
    create_period,
    list_periods,
    log_contact,
    open_period_on,
    parse_choice,
    period_by_name,
    set_member_count,
    undo_contact,
)
from vcpbot.services.kmtm._export import (
    export_csv,
    export_sheets,
    export_xlsx,
)
from vcpbot.services.kmtm._preview import PreviewBook
from vcpbot.services.kmtm._released import released_in_year
from vcpbot.services.kmtm._report import (
    NO_RATE,
    ReportRow,
    format_rate,
    heading,
    notes,
    period_reports,
    report,
    row_label,
    row_shown,
    shown,
    title,
)
from vcpbot.services.kmtm._types import (
    LoggedContact,
    MemberCount,
    PeriodStatus,
    PeriodView,
    Preview,
    Report,
)
from vcpbot.services.kmtm._undo import (
    UndoBook,
)

__all__ = [
    "MEMBERS_MAX",
    "NO_RATE",
    "PERIOD_NAME_MAX",
    "LoggedContact",
    "MemberCount",
    "PeriodStatus",
    "PeriodView",
    "Preview",
    "PreviewBook",
    "Report",
    "ReportRow",
    "UndoBook",
    "alt_text",
    "close_period",
    "create_period",
    "export_csv",
    "export_sheets",
    "export_xlsx",
    "format_rate",
    "heading",
    "list_periods",
    "log_contact",
    "notes",
    "open_period_on",
    "parse_choice",
    "period_by_name",
    "period_reports",
    "released_in_year",
    "render_png",
    "render_svg",
    "report",
    "row_label",
    "row_shown",
    "set_member_count",
    "shown",
    "title",
    "undo_contact",
]
