"""Anonymous escalation: cases, their sealed conversation, hub delivery, abuse control.

No column here links a Discord user, member or message of a person to a case.
Everything a person wrote is sealed with the case's own key (``LargeBinary``
columns); dates are days, except the urgent acknowledgement clock, which needs
the hour. No column holds an instant: the outbox's leases are tokens and its
retries wait in the worker's memory. The only Discord ids are the bot's own
channels (``escalation_member_routes``) and its own messages about a case
(``escalation_posts``), sealed with the case key, because a message id is a
snowflake that tells the millisecond it was posted. Pseudonyms are keyed
HMACs that change every semester; on a case the reporter's pseudonym exists
only sealed, so that Block sender can work without the team learning who it is.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from vcpbot.db.base import Base


class Route(StrEnum):
    VCP = "vcp"  # an association's VCP to the UM team (always on)
    MEMBER = "member"  # a member to their association's VCPs (per association, off by default)


class Category(StrEnum):
    """DOMAIN.md's categories, from the UM team's annual report."""

    SEXUAL_PHYSICAL = "sexual_physical"
    SEXUAL_NONPHYSICAL = "sexual_nonphysical"
    STALKING = "stalking"
    UNFAIR_TREATMENT = "unfair_treatment"
    UNPROFESSIONAL = "unprofessional"
    AGGRESSION_PHYSICAL = "aggression_physical"
    AGGRESSION_NONPHYSICAL = "aggression_nonphysical"
    BULLYING = "bullying"
    DISCRIMINATION = "discrimination"
    INTIMIDATION = "intimidation"
    IMPROPER = "improper"
    ADVICE = "advice"


class Urgency(StrEnum):
    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"  # a safety risk


class CaseStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    FORWARDED = "forwarded"  # a member's case, passed to the UM team and not yet acknowledged there
    CLOSED = "closed"


class Outcome(StrEnum):
    ADVICE_GIVEN = "advice_given"
    REFERRED_INTERNALLY = "referred_internally"
    REFERRED_EXTERNALLY = "referred_externally"
    COMPLAINT_SUPPORTED = "complaint_supported"
    NO_FURTHER_ACTION = "no_further_action"
    OUT_OF_SCOPE = "out_of_scope"
    CLOSED_BY_REPORTER = "closed_by_reporter"  # only the reporter's own Close sets this


class Author(StrEnum):
    REPORTER = "reporter"
    VCP = "vcp"
    TEAM = "team"


class MessageKind(StrEnum):
    """A message in the conversation that is a choice of the reporter's, not words they
    typed; NULL on every written message. Sealed like any message (what it says, the
    reporter's name or how to reach them, is inside ``body``); the kind itself is in
    clear so a choice not yet read can be found and deleted.
    """

    IDENTITY = "identity"  # who they are: their Discord mention and name
    CONTACT = "contact"  # a call or meeting: how to reach them, when suits them
    ANONYMOUS = "anonymous"  # from now on they would rather stay anonymous
    REOPENED = "reopened"  # they reopened their closed case


CHOICE_KINDS = (MessageKind.IDENTITY, MessageKind.CONTACT)


class Place(StrEnum):
    """Where an outbox item goes: the hub, the association's VCP channel, or the reporter's DMs."""

    HUB = "hub"
    ASSOCIATION = "association"
    DM = "dm"  # only reply notices, to the opt-in DM link; never a card


CARD_PLACES = (Place.HUB, Place.ASSOCIATION)


class OutboxKind(StrEnum):
    CASE_CARD_CREATE = "case_card_create"
    CASE_CARD_UPDATE = "case_card_update"
    REPLY_NOTICE = "reply_notice"
    PATTERN_SIGNAL = "pattern_signal"
    OVERDUE_NUDGE = "overdue_nudge"
    # A message of the bot about a case destroyed by retention: delete it (or make it
    # an anonymous tombstone). The case is gone, so the row carries the message itself.
    MESSAGE_DELETE = "message_delete"


class PostKind(StrEnum):
    """What the bot posted about a case, in a team channel."""

    CARD = "card"
    NUDGE = "nudge"
    NOTICE = "notice"  # a pattern notice; one row for each case it names


class Consent(StrEnum):
    """Whether a member's case may go to the UM team: the member decides (DOMAIN.md).

    A VCP asks (``ASKED``, with a summary sealed on the case); the member answers in
    /my-case. ``YES``: the team reads the whole conversation; ``WITHOUT_WORDS``: the team
    reads from the VCP's summary on; ``DECLINED``: it stays with the VCPs. A question
    the VCP took back, or that went with the case's closing, is ``WITHDRAWN``.
    ``URGENT``: the VCP passed it on without asking, because of acute danger, with a
    reason written into the conversation.
    """

    ASKED = "asked"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    YES = "yes"
    WITHOUT_WORDS = "without_words"
    URGENT = "urgent"


class Desk(StrEnum):
    """Who works on a case: the UM team, or an association's VCPs (member cases). A forwarded
    case has both, and each keeps its own notes, read log and claim."""

    TEAM = "team"
    VCPS = "vcps"


class DeskKind(StrEnum):
    NOTE = "note"  # a handler's internal note; never shown to the reporter
    READ = "read"  # one line of the read log: who opened the case, which day


class Undelivered(StrEnum):
    """Why a member case's card could not reach the association's VCPs."""

    ROUTE_OFF = "route_off"  # the member route was switched off (or has no channel)
    CHANNEL_GONE = "channel_gone"  # the bot can no longer post in the VCPs' channel
    NO_VCPS = "no_vcps"  # the association has no registered VCP any more (a term change)


def _one_of(column: str, values: type[StrEnum] | tuple[StrEnum, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Case(Base):
    __tablename__ = "escalation_cases"
    __table_args__ = (
        CheckConstraint(_one_of("route", Route), name="route"),
        CheckConstraint(_one_of("category", Category), name="category"),
        CheckConstraint(_one_of("urgency", Urgency), name="urgency"),
        CheckConstraint(_one_of("status", CaseStatus), name="status"),
        CheckConstraint(f"outcome IS NULL OR {_one_of('outcome', Outcome)}", name="outcome"),
        CheckConstraint(
            f"undelivered IS NULL OR {_one_of('undelivered', Undelivered)}", name="undelivered"
        ),
        CheckConstraint(f"consent IS NULL OR {_one_of('consent', Consent)}", name="consent"),
        CheckConstraint("language IS NULL OR language IN ('nl', 'en')", name="language"),
        CheckConstraint(f"claim_desk IS NULL OR {_one_of('claim_desk', Desk)}", name="claim_desk"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Short, random, shown on the hub card; not the receipt and not secret.
    code: Mapped[str] = mapped_column(String(8), unique=True)
    # The opaque part of the card buttons' custom_ids.
    card_token: Mapped[str] = mapped_column(String(24), unique=True)
    route: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(24))
    urgency: Mapped[str] = mapped_column(String(8))
    association_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="SET NULL"), index=True
    )
    association_shown: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), index=True)
    outcome: Mapped[str | None] = mapped_column(String(24))
    created_on: Mapped[date] = mapped_column(Date)
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    forwarded_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    # When acknowledgement is due; cleared once acknowledged or closed. A day
    # boundary for routine and soon; for urgent the hour, rounded up.
    ack_due: Mapped[datetime | None]
    nudged: Mapped[bool] = mapped_column(Boolean, default=False)
    pattern_signalled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Messages from this seq on are what the UM team sees of a forwarded case (1: all of
    # it, as the member agreed; None for a case its reporter sent to the team).
    forward_seq: Mapped[int | None] = mapped_column(Integer)
    # The forwarding VCP's summary for the team, and (acute danger only) their reason for
    # not asking: which messages they are. The VCPs read up to the summary.
    summary_seq: Mapped[int | None] = mapped_column(Integer)
    reason_seq: Mapped[int | None] = mapped_column(Integer)
    # The member's say on passing their case to the team (``Consent``), and while a
    # question waits, the summary it shows them, sealed with the case key.
    consent: Mapped[str | None] = mapped_column(String(16))
    consent_summary: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_version: Mapped[int] = mapped_column(Integer)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    receipt_hash: Mapped[str] = mapped_column(String(128))
    receipt_index: Mapped[str] = mapped_column(String(64), unique=True)
    # The reporter's pseudonyms (this semester and the next), sealed with the case key.
    reporter_tag: Mapped[bytes] = mapped_column(LargeBinary)
    # The opt-in DM link: the reporter's user id, sealed; deleted when the case closes.
    dm_link: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The reporter asked for notices that say what kind of news (a reply, a question,
    # closed); by default a notice only says there is a new message.
    notice_detail: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the card could not reach the VCPs (a member case): the reporter is told in
    # /my-case and chooses. Kept after they send it to the team, which the card then says.
    undelivered: Mapped[str | None] = mapped_column(String(16))
    # The highest message seq a handler has been shown in Open: a reporter's choice up
    # to here has been read and cannot be taken back; one after it can.
    read_seq: Mapped[int | None] = mapped_column(Integer)
    # The reporter's language ("nl" or "en", from their Discord client at submit; None:
    # unknown, the handler chooses): a saved reply starts in it. A language, not an identity.
    language: Mapped[str | None] = mapped_column(String(2))
    # Taken ("being handled"): by which desk (``Desk``; NULL when nobody has it), and who
    # (their user id and display name) sealed with the case key in ``claim``.
    claim_desk: Mapped[str | None] = mapped_column(String(8))
    claim: Mapped[bytes | None] = mapped_column(LargeBinary)


class CaseMessage(Base):
    __tablename__ = "escalation_messages"
    __table_args__ = (
        CheckConstraint(_one_of("author", Author), name="author"),
        CheckConstraint(f"kind IS NULL OR {_one_of('kind', MessageKind)}", name="kind"),
    )

    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("escalation_cases.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    author: Mapped[str] = mapped_column(String(10))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_on: Mapped[date] = mapped_column(Date)
    # A reporter's choice (``MessageKind``) rather than words; NULL for what was written.
    kind: Mapped[str | None] = mapped_column(String(10))


class Evidence(Base):
    """A file the reporter added to their case: its name, type and bytes sealed with the
    case key, bound to the conversation line that says it was added (``seq``) and its
    place among the files added with it. No Discord id or link is kept: the bytes are
    the bot's own copy, and what Discord keeps of the upload is Discord's."""

    __tablename__ = "escalation_evidence"

    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("escalation_cases.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[bytes] = mapped_column(LargeBinary)
    kind: Mapped[bytes] = mapped_column(LargeBinary)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class DeskEntry(Base):
    """A desk's own record on a case: an internal note or a line of the read log.

    ``body`` holds everything (who, the day, the note's text) sealed with the case key,
    bound to the case, desk, kind and seq; the row itself says only which desk and
    kind. Deleted with the case.
    """

    __tablename__ = "escalation_desk_entries"
    __table_args__ = (
        CheckConstraint(_one_of("desk", Desk), name="desk"),
        CheckConstraint(_one_of("kind", DeskKind), name="kind"),
    )

    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("escalation_cases.id", ondelete="CASCADE"), primary_key=True
    )
    desk: Mapped[str] = mapped_column(String(8), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class Post(Base):
    """A message the bot posted about a case (a card, a nudge, a pattern notice), so it
    can edit it and delete it when the case is destroyed.

    ``ref`` is ``"<channel id>:<message id>"`` sealed with the case key: a message id
    is a snowflake that tells the millisecond of posting, a time this table must not
    give away. It is opened only to edit or delete the message, or to link to it.
    """

    __tablename__ = "escalation_posts"
    __table_args__ = (
        CheckConstraint(_one_of("kind", PostKind), name="kind"),
        CheckConstraint(_one_of("place", CARD_PLACES), name="place"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("escalation_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    place: Mapped[str] = mapped_column(String(12))
    ref: Mapped[bytes] = mapped_column(LargeBinary)


class OutboxItem(Base):
    """Something to post for a case, written in the case's transaction.

    Deleted once delivered (the message's reference moves to ``escalation_posts``).
    It holds no time: a lease is the leading worker's token, a retry's back-off and
    a batch's moment live in that worker's memory.
    """

    __tablename__ = "escalation_outbox"
    __table_args__ = (
        CheckConstraint(_one_of("kind", OutboxKind), name="kind"),
        CheckConstraint(_one_of("place", Place), name="place"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("escalation_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    place: Mapped[str] = mapped_column(String(12))
    # Never narrative: case codes at most.
    payload: Mapped[str] = mapped_column(Text, default="{}")
    # Put into what is posted, so a worker that crashed after posting can find it.
    delivery_key: Mapped[str] = mapped_column(String(32), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Goes with the next batch, not at once (the card of a non-urgent case).
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    # The claiming worker's token. Only the leader delivers, so a new leader releases
    # every token it finds (``release_leases``).
    lease_token: Mapped[str | None] = mapped_column(String(32))
    # Reply notices only: the case's sealed DM link, copied when queued, so a notice
    # about closing still reaches the reporter after the case's own link is gone.
    dm_link: Mapped[bytes | None] = mapped_column(LargeBinary)


class Block(Base):
    """A blocked sender's pseudonym; lapses when its semester is over."""

    __tablename__ = "escalation_blocks"

    pseudonym: Mapped[str] = mapped_column(String(32), primary_key=True)
    semester: Mapped[str] = mapped_column(String(8), index=True)
    blocked_on: Mapped[date] = mapped_column(Date)


class Counter(Base):
    """Per-pseudonym, per-day counts for rate limits; yesterday's rows are deleted daily."""

    __tablename__ = "escalation_counters"
    __table_args__ = (CheckConstraint("kind IN ('submit', 'miss')", name="kind"),)

    pseudonym: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class CaseCount(Base):
    """What stays of a case after retention: one count per quarter and kind. No case id."""

    __tablename__ = "escalation_counts"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # e.g. 2026-Q3
    route: Mapped[str] = mapped_column(String(8), primary_key=True)
    category: Mapped[str] = mapped_column(String(24), primary_key=True)
    urgency: Mapped[str] = mapped_column(String(8), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(24), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class MemberRoute(Base):
    """Whether an association's members can reach its VCPs anonymously, and where cases go."""

    __tablename__ = "escalation_member_routes"

    association_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The association's channel for its VCPs, where member cases get their card.
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_on: Mapped[date] = mapped_column(Date)


class Measure(StrEnum):
    """Which duration a ``CaseDuration`` counts: days to the first acknowledgement, to closing."""

    ACK = "ack"
    CLOSE = "close"


class CaseDuration(Base):
    """What else stays of a case: how many cases took so many days. No case id.

    One count per quarter the case was reported in, route, measure and whole days,
    written when the case closes (``vcpbot.services.escalation._figures``), so the
    team's yearly medians survive the deletion of the case.
    """

    __tablename__ = "escalation_durations"
    __table_args__ = (
        CheckConstraint(_one_of("measure", Measure), name="measure"),
        CheckConstraint("days >= 0", name="days_not_negative"),
    )

    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # e.g. 2026-Q3
    route: Mapped[str] = mapped_column(String(8), primary_key=True)
    measure: Mapped[str] = mapped_column(String(8), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)


class CaseRelease(Base):
    """The release ledger of the team's yearly figures (``/cases report``), one row per
    year and breakdown: what was shown the first time, shown the same way ever after.

    The same rule as KMTM's ledger (``kmtm_releases``): two differently suppressed
    releases of one number could be subtracted from each other. ``payload`` is the
    published table (rows, total, markers), never why a cell is hidden.
    """

    __tablename__ = "escalation_releases"
    __table_args__ = (UniqueConstraint("year", "breakdown"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    breakdown: Mapped[str] = mapped_column(String(16))
    k: Mapped[int] = mapped_column(Integer)
    min_contributors: Mapped[int] = mapped_column(Integer)
    rounded: Mapped[bool] = mapped_column(Boolean)
    released_on: Mapped[date] = mapped_column(Date)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
