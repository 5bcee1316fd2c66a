"""Anonymous escalation: the API the escalation cog and the CLI use.

Routes: a VCP to the UM team (always on), and a member to their association's
VCPs (per association, off by default), which goes on to the team only when the
member says yes to a VCP's question, or, in acute danger, when a VCP says why.
Every function takes the caller's ``AsyncSession`` and never commits; ``now``
is always passed in; errors are ``vcpbot.errors`` classes with catalog keys
(``escalation.error.*``). Build an ``EscalationConfig`` once from the settings:
it refuses (``EscalationUnavailable``) when the keys are not configured.

Privacy by construction: no column links a person to a case, and nothing
stored can be recomputed from a person's id with the stored keys (pseudonyms and
DM links are under the runtime key, ``vcpbot.runtime_key``), so
``/privacy delete-my-data`` cannot find a person's cases, by design; a reporter
closes their case and stops notices with their receipt instead.

Receipts are hashed outside every write transaction: ``prepare_receipt`` before
``submit_case``; ``unlock`` before ``open_case``, ``reporter_reply``,
``reporter_close`` and ``set_notices``.

The implementation is split by meaning, in private modules of this package:
``_core`` (text, clocks, sealing), ``_cases`` (the reporter),
``_receipts`` (receipts, outside transactions), ``_handling`` (the team and the
VCPs), ``_consent`` (the member's say before their case goes to the team), ``_choices``
(the reporter's choices: who they are, a call, taking back, reopening),
``_signals`` (patterns, nudges), ``_outbox`` (delivery), ``_posts`` (the bot's
messages about a case, sealed), ``_retention`` (purge, rotation), ``_evidence``
(files the reporter adds), ``_figures`` (the counts and durations that outlive a
case), ``_annual`` and ``_annual_out`` (the team's yearly figures and how they are
shown), ``_desk`` and ``_casework`` (a desk's notes, claim and read log); ``_types``
holds what they hand back. Callers import from this package only.
"""

from vcpbot.crypto import EscalationUnavailable, format_receipt, normalise_receipt
from vcpbot.db.escalation import (
    Author,
    CaseStatus,
    Category,
    Consent,
    Desk,
    MessageKind,
    OutboxKind,
    Outcome,
    Place,
    PostKind,
    Route,
    Undelivered,
    Urgency,
)
from vcpbot.services.escalation._annual import year_figures
from vcpbot.services.escalation._annual_out import (
    alt_text as figures_alt_text,
)
from vcpbot.services.escalation._annual_out import (
    breakdown_name as figures_breakdown_name,
)
from vcpbot.services.escalation._annual_out import (
    export_xlsx as figures_xlsx,
)
from vcpbot.services.escalation._annual_out import (
    notes as figures_notes,
)
from vcpbot.services.escalation._annual_out import (
    render_png as figures_png,
)
from vcpbot.services.escalation._annual_out import (
    sheets as figures_sheets,
)
from vcpbot.services.escalation._annual_out import (
    table_lines as figures_table_lines,
)
from vcpbot.services.escalation._annual_out import (
    title as figures_title,
)
from vcpbot.services.escalation._annual_out import (
    total_line as figures_total_line,
)
from vcpbot.services.escalation._cases import (
    RECEIPT_NOT_FOUND,
    member_route,
    open_case,
    reporter_close,
    reporter_reply,
    reporter_send_to_team,
    set_member_route,
    set_notice_detail,
    set_notices,
    submit_case,
)
from vcpbot.services.escalation._casework import (
    NOTE_MAX,
    add_note,
    claim_case,
    offer_to_team,
    open_desk,
    release_case,
    release_claims_of,
)
from vcpbot.services.escalation._choices import (
    CONTACT_MAX,
    ask_for_contact,
    reopen_case,
    reveal_identity,
    stay_anonymous,
    take_back_choices,
)
from vcpbot.services.escalation._consent import (
    answer_consent,
    ask_consent,
    forward_urgently,
    withdraw_consent,
)
from vcpbot.services.escalation._core import TEXT_MAX, ack_due, add_working_days, clean_text
from vcpbot.services.escalation._evidence import (
    add_evidence,
    case_file_count,
    case_files,
    check_sizes,
    reporter_files,
    size_text,
    sniff,
)
from vcpbot.services.escalation._figures import count_closed, quarter_of
from vcpbot.services.escalation._handling import (
    acknowledge,
    block_sender,
    card_for,
    close_case,
    list_open_cases,
    read_case,
    reply,
)
from vcpbot.services.escalation._outbox import (
    association_channel,
    association_of_case,
    card_message,
    case_code,
    claim_deliveries,
    held_waiting,
    mark_delivered,
    mark_failed,
    mark_undelivered,
    notice_deletion_day,
    notice_recipient,
    pending_deliveries,
    release_leases,
    retry_delay,
    waiting_delivery_ids,
)
from vcpbot.services.escalation._posts import seal_legacy_posts
from vcpbot.services.escalation._receipts import prepare_receipt, unlock
from vcpbot.services.escalation._retention import (
    case_counts,
    compact_sqlite,
    daily_upkeep,
    key_versions_in_use,
    purge_expired,
    rotate_keys,
)
from vcpbot.services.escalation._signals import queue_overdue_nudges, signal_patterns
from vcpbot.services.escalation._types import (
    Actor,
    Answer,
    Breakdown,
    CaseCard,
    CaseCode,
    CaseDetail,
    Casework,
    ChoicesTaken,
    CountRow,
    Delivery,
    DeskNote,
    DeskRead,
    EscalationConfig,
    FigureRow,
    FigureTable,
    FileView,
    Handler,
    MemberRouteView,
    MessageRef,
    MessageView,
    NewReceipt,
    PatternSignal,
    PostView,
    PurgeResult,
    ReporterView,
    RotationResult,
    Submitted,
    Unlocked,
    Upkeep,
    YearFigures,
)

# Outcomes a handler can choose when closing (the reporter's own Close is separate).
HANDLER_OUTCOMES = tuple(o for o in Outcome if o is not Outcome.CLOSED_BY_REPORTER)

__all__ = [
    "CONTACT_MAX",
    "HANDLER_OUTCOMES",
    "NOTE_MAX",
    "RECEIPT_NOT_FOUND",
    "TEXT_MAX",
    "Actor",
    "Answer",
    "Author",
    "Breakdown",
    "CaseCard",
    "CaseCode",
    "CaseDetail",
    "CaseStatus",
    "Casework",
    "Category",
    "ChoicesTaken",
    "Consent",
    "CountRow",
    "Delivery",
    "Desk",
    "DeskNote",
    "DeskRead",
    "EscalationConfig",
    "EscalationUnavailable",
    "FigureRow",
    "FigureTable",
    "FileView",
    "Handler",
    "MemberRouteView",
    "MessageKind",
    "MessageRef",
    "MessageView",
    "NewReceipt",
    "OutboxKind",
    "Outcome",
    "PatternSignal",
    "Place",
    "PostKind",
    "PostView",
    "PurgeResult",
    "ReporterView",
    "RotationResult",
    "Route",
    "Submitted",
    "Undelivered",
    "Unlocked",
    "Upkeep",
    "Urgency",
    "YearFigures",
    "ack_due",
    "acknowledge",
    "add_evidence",
    "add_note",
    "add_working_days",
    "answer_consent",
    "ask_consent",
    "ask_for_contact",
    "association_channel",
    "association_of_case",
    "block_sender",
    "card_for",
    "card_message",
    "case_code",
    "case_counts",
    "case_file_count",
    "case_files",
    "check_sizes",
    "claim_case",
    "claim_deliveries",
    "clean_text",
    "close_case",
    "compact_sqlite",
    "count_closed",
    "daily_upkeep",
    "figures_alt_text",
    "figures_breakdown_name",
    "figures_notes",
    "figures_png",
    "figures_sheets",
    "figures_table_lines",
    "figures_title",
    "figures_total_line",
    "figures_xlsx",
    "format_receipt",
    "forward_urgently",
    "held_waiting",
    "key_versions_in_use",
    "list_open_cases",
    "mark_delivered",
    "mark_failed",
    "mark_undelivered",
    "member_route",
    "normalise_receipt",
    "notice_deletion_day",
    "notice_recipient",
    "offer_to_team",
    "open_case",
    "open_desk",
    "pending_deliveries",
    "prepare_receipt",
    "purge_expired",
    "quarter_of",
    "queue_overdue_nudges",
    "read_case",
    "release_case",
    "release_claims_of",
    "release_leases",
    "reopen_case",
    "reply",
    "reporter_close",
    "reporter_files",
    "reporter_reply",
    "reporter_send_to_team",
    "retry_delay",
    "reveal_identity",
    "rotate_keys",
    "seal_legacy_posts",
    "set_member_route",
    "set_notice_detail",
    "set_notices",
    "signal_patterns",
    "size_text",
    "sniff",
    "stay_anonymous",
    "submit_case",
    "take_back_choices",
    "unlock",
    "waiting_delivery_ids",
    "withdraw_consent",
    "year_figures",
]
