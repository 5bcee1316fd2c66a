"""What anonymous escalation hands back and takes in: frozen dataclasses of plain values.

The configuration built once from the settings lives here too, so every private
module of the package reads the same types from one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from vcpbot.crypto import EscalationKeys, EscalationUnavailable
from vcpbot.db.escalation import (
    Author,
    Case,
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
from vcpbot.runtime_key import RuntimeKey, RuntimeKeyError
from vcpbot.services.disclosure import Marker
from vcpbot.settings import EscalationSettings, Settings


@dataclass(frozen=True)
class EscalationConfig:
    """Keys, limits and the time zone: build once from the settings, pass to every call.

    ``keys`` are the stored ones (settings, secrets); ``runtime`` is the key that
    lives only in memory and on tmpfs, behind everything that recognises a person.
    """

    keys: EscalationKeys
    policy: EscalationSettings
    zone: ZoneInfo
    runtime: RuntimeKey

    @classmethod
    def from_settings(cls, settings: Settings) -> EscalationConfig:
        """Raises ``EscalationUnavailable`` when the keys are missing or malformed, or the
        runtime directory cannot hold the runtime key (the cause says why)."""
        keys = EscalationKeys.from_settings(settings)
        try:
            runtime = RuntimeKey.load_or_create(settings.runtime_directory)
        except RuntimeKeyError as exc:
            raise EscalationUnavailable() from exc
        return cls(keys=keys, policy=settings.escalation, zone=settings.zone, runtime=runtime)


@dataclass(frozen=True)
class MessageView:
    seq: int
    author: Author
    text: str
    on: date
    # The forwarding VCP's summary: what the UM team reads first of a member's case.
    summary: bool = False
    # The VCP's reason for passing a member's case on without asking (acute danger).
    urgent_reason: bool = False
    # A reporter's choice (who they are, a call, ...) rather than words; its text is the
    # choice's details as JSON, put into words by whoever shows it.
    kind: MessageKind | None = None


@dataclass(frozen=True)
class FileView:
    """A file the reporter added, opened: show it only in an ephemeral answer."""

    name: str  # cleaned, with the extension of what it really is
    kind: str  # png, jpeg, webp, gif, pdf or text, by its content
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class MessageRef:
    channel_id: int
    message_id: int


@dataclass(frozen=True)
class PostView:
    kind: PostKind
    place: Place
    ref: MessageRef


@dataclass(frozen=True)
class Submitted:
    """Show ``receipt`` once, and only after the transaction has committed."""

    code: str
    receipt: str  # grouped for reading: K7QM-3XRT-...
    route: Route


@dataclass(frozen=True)
class ReporterView:
    """What the holder of a receipt sees of their case."""

    code: str
    route: Route
    category: Category
    urgency: Urgency
    status: CaseStatus
    created_on: date
    forwarded: bool
    notices: bool  # the reporter gets a DM when someone replies
    # They had asked for notices, but the link was sealed under a runtime key this
    # machine no longer has (a reboot, an upgrade): they can turn notices on again.
    notices_lost: bool
    messages: tuple[MessageView, ...]
    # Why the card never reached the VCPs (a member case); None when it did or will.
    undelivered: Undelivered | None = None
    # The member's say on passing the case to the UM team, and while a VCP's question
    # waits for their answer, the summary the team would read.
    consent: Consent | None = None
    question: str | None = None
    # A closed case: the day retention deletes it.
    deleted_on: date | None = None
    # Notices name the kind of news (a reply, a question, closed), not only "a message".
    notice_detail: bool = False
    # The reporter's choices (who they are, a call): some not yet read by a handler (they
    # can be taken back), some already read (they cannot).
    choice_unread: bool = False
    choice_read: bool = False

    @property
    def closed(self) -> bool:
        return self.status is CaseStatus.CLOSED

    @property
    def awaiting_choice(self) -> bool:
        """Nobody can act on it until the reporter sends it to the team or closes it."""
        return self.undelivered is not None and not self.forwarded and not self.closed


@dataclass(frozen=True)
class ChoicesTaken:
    """The reporter took back their choices: how many were deleted unread, and whether
    some had already been read (those stay)."""

    view: ReporterView
    removed: int
    read: bool


@dataclass(frozen=True)
class MemberRouteView:
    association_id: int
    enabled: bool
    channel_id: int | None


class Answer(StrEnum):
    YES = "yes"
    WITHOUT_WORDS = "without_words"
    NO = "no"


@dataclass(frozen=True)
class CaseCode:
    """A case code a person typed (``C-7K2P``, any case).

    Every ``case_ref`` that is a plain ``str`` is a card's token, from a button's
    custom_id: a code is shown on every card and to the reporter, so a button must
    never accept one in the token's place. Only where a person types a code does
    the cog wrap it in ``CaseCode``.
    """

    text: str


@dataclass(frozen=True)
class Handler:
    """Who acts: the UM team, or the VCPs of one association (member cases only)."""

    association_id: int | None = None

    @classmethod
    def team(cls) -> Handler:
        return cls(None)

    @classmethod
    def vcps(cls, association_id: int) -> Handler:
        return cls(association_id)

    @property
    def is_team(self) -> bool:
        return self.association_id is None

    def holds(self, case: Case) -> bool:
        """The case is this handler's to act on now."""
        if self.is_team:
            return case.route == Route.VCP or case.forwarded_on is not None
        return (
            case.route == Route.MEMBER
            and case.association_id == self.association_id
            and case.forwarded_on is None
        )

    def may_read(self, case: Case) -> bool:
        """VCPs keep reading what they had of a member case after forwarding it."""
        return self.holds(case) or (
            not self.is_team
            and case.route == Route.MEMBER
            and case.association_id == self.association_id
        )


@dataclass(frozen=True)
class CaseCard:
    """What a card shows: never narrative, never who."""

    code: str
    token: str  # the opaque part of the card buttons' custom_ids
    route: Route
    forwarded: bool
    category: Category
    urgency: Urgency
    association_name: str | None  # None when withheld (or there is none)
    association_withheld: bool
    status: CaseStatus
    outcome: Outcome | None
    created_on: date
    age_days: int
    overdue: bool
    awaiting_reply: bool  # the last message is the reporter's
    # A member case its reporter sent to the team because the VCPs could not receive it.
    sent_by_reporter: bool = False
    # In a listing: the card this handler acts from (``/open-cases`` links to it).
    link: MessageRef | None = None
    # The member's say on passing a member case to the team (None: never asked).
    consent: Consent | None = None
    # A handler has written a reply: the close form's last message is then optional.
    replied: bool = False
    # The reporter's language ("nl" or "en"), None when unknown: a saved reply starts in it.
    language: str | None = None
    # Taken by a desk (``Desk``), and who, for that desk's own card only.
    claim_desk: Desk | None = None
    claimer: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CaseDetail:
    """Open: the card and the conversation this handler may read (show it ephemerally)."""

    card: CaseCard
    messages: tuple[MessageView, ...]


@dataclass(frozen=True)
class Delivery:
    id: int
    kind: OutboxKind
    place: Place
    case_id: int | None
    payload: Mapping[str, Any]
    delivery_key: str
    # Earlier claims of this row. More than 0: an earlier try (perhaps one that
    # crashed) may have posted it; look for ``delivery_key`` before posting again.
    attempts: int
    lease_token: str


@dataclass(frozen=True)
class NewReceipt:
    """A fresh receipt and its Argon2id hash, made before the case's transaction opens."""

    receipt: str = field(repr=False)
    hashed: str = field(repr=False)


@dataclass(frozen=True)
class Unlocked:
    """A receipt checked outside any transaction: the case it opened, or a miss to record.

    Lives in memory for one interaction; pass it to the action that follows.
    """

    case_id: int | None
    receipt_hash: str | None = field(repr=False)  # the write transaction re-checks it
    user_id: int = field(repr=False)
    asker: str = field(repr=False)  # the asker's pseudonym today, for the miss counter
    day: date


@dataclass(frozen=True)
class PurgeResult:
    cases: int
    counters: int
    blocks: int


@dataclass(frozen=True)
class CountRow:
    period: str
    route: str
    category: str
    urgency: str
    outcome: str
    count: int


@dataclass(frozen=True)
class RotationResult:
    rewrapped: int
    current_version: int
    # Master key versions still needed by some case after the rotation.
    versions_in_use: tuple[int, ...]


@dataclass(frozen=True)
class Upkeep:
    purged: PurgeResult
    nudged: tuple[str, ...]
    patterns: int


@dataclass(frozen=True)
class PatternSignal:
    """Open cases that share an association and a category: only their codes are told."""

    codes: tuple[str, ...]
    # True when the reporters withheld the association: the notice may say the cases
    # share one, never which (their choice holds for the group as for each case).
    association_withheld: bool


# --- the team's yearly figures (``_annual``) ----------------------------------------


class Breakdown(StrEnum):
    CATEGORY = "category"
    ROUTE = "route"
    URGENCY = "urgency"
    OUTCOME = "outcome"
    MEDIAN = "median"  # days to acknowledge and to close, per route


@dataclass(frozen=True)
class FigureRow:
    # A category, route, urgency or outcome; for a median ``<route|all>.<ack|close>``.
    key: str
    # A count, or days (a median, possibly .5); a marker where nothing is shown.
    value: int | float | Marker


@dataclass(frozen=True)
class FigureTable:
    breakdown: Breakdown
    rows: tuple[FigureRow, ...]
    # The year's published total; None for the medians.
    total: int | Marker | None


@dataclass(frozen=True)
class YearFigures:
    year: int
    tables: tuple[FigureTable, ...]
    k: int
    min_contributors: int
    rounded: bool
    released_on: date
    # True when this came from the ledger (an earlier release).
    from_ledger: bool
    # True when that earlier release used other settings than the ones asked for.
    settings_differ: bool

    def table(self, breakdown: Breakdown) -> FigureTable:
        return next(t for t in self.tables if t.breakdown is breakdown)


# --- the handlers' desk (_casework) ---


@dataclass(frozen=True)
class Actor:
    """The handler who presses: their Discord id and display name, only ever stored sealed."""

    user_id: int = field(repr=False)
    name: str = field(repr=False)


@dataclass(frozen=True)
class DeskNote:
    by: str
    text: str = field(repr=False)
    on: date


@dataclass(frozen=True)
class DeskRead:
    by: str
    on: date


@dataclass(frozen=True)
class Casework:
    """What Open shows a desk of its own work on a case."""

    notes: tuple[DeskNote, ...]
    reads: tuple[DeskRead, ...]
    claimer: str | None  # the display name of this desk's claimer, if any
    mine: bool  # the one who opened it holds the claim
    may_claim: bool  # the case is this desk's to act on and not closed
