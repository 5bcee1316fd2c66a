"""What announcements offer: the draft, who it reaches, one delivery, the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

TITLE_MAX = 100  # characters in an announcement's title (an embed's title holds 256)
TEXT_MAX = 2000  # characters in each language's text: one screen, well inside an embed
BACKOFF_FIRST_S = 5.0
BACKOFF_MAX_S = 900.0


class State(StrEnum):
    """How one association's copy went."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    OPTED_OUT = "opted_out"
    NO_CHANNEL = "no_channel"


class Reason(StrEnum):
    """Why Discord would not take a copy, in words the report can say."""

    CHANNEL_GONE = "channel_gone"
    NO_PERMISSION = "no_permission"
    REFUSED = "refused"


@dataclass(frozen=True)
class Draft:
    """What the coordinator wrote: a title and the text in Dutch and in English."""

    title: str
    text_nl: str
    text_en: str

    def text(self, locale: str) -> str:
        return self.text_nl if locale == "nl" else self.text_en


@dataclass(frozen=True)
class Reach:
    """Who an announcement would go to now: copies per language, and who gets none."""

    dutch: int
    english: int
    opted_out: tuple[str, ...]
    no_channel: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.dutch + self.english


@dataclass(frozen=True)
class AnnouncementSettings:
    """An association's choice: its channel, the role it lets be pinged, or opted out."""

    association: str
    channel_id: int | None
    role_id: int | None
    opted_out: bool


@dataclass(frozen=True)
class Delivery:
    """One claimed copy to post: where, with which role, in which language."""

    id: int
    channel_id: int
    role_id: int | None
    locale: str
    delivery_key: str
    attempts: int  # earlier claims: more than 0 means an earlier worker may have posted it
    lease_token: str
    draft: Draft


@dataclass(frozen=True)
class ReportLine:
    association: str
    state: State
    reason: Reason | None


@dataclass(frozen=True)
class Report:
    """How one announcement went, association by association (sorted by name)."""

    title: str
    sent_at: datetime
    lines: tuple[ReportLine, ...]

    def having(self, state: State) -> list[ReportLine]:
        return [line for line in self.lines if line.state is state]
