"""Settings, read once in the entry point and passed down.

Sources, strongest first: values passed to ``Settings.load`` > environment
variables (``VCPBOT_*``, nested with ``__``) > ``.env`` > the secrets directory
> ``config/vcpbot.toml``. Unknown keys are an error everywhere, so a typo never
silently falls back to a default. Secrets never come from the TOML file.
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ENV_PREFIX = "VCPBOT_"
# Variables under this prefix belong to the test suite, not to the bot.
TEST_ENV_PREFIX = "VCPBOT_TEST_"
DEFAULT_CONFIG_FILE = Path("config/vcpbot.toml")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./vcpbot.db"
DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"

# Every feature cog that ships with the bot, in load order.
ALL_COGS: tuple[str, ...] = ("network", "help", "rules", "escalation", "intervisie", "kmtm")

SECRET_FIELDS = frozenset({"discord_token", "master_keys", "index_key"})

_toml_file: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "vcpbot_toml_file", default=None
)


class SettingsError(Exception):
    """Settings that cannot be used; ``problems`` holds one readable line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SchedulerSettings(_Section):
    """How the in-process scheduler behaves; the database stays the source of truth."""

    # False: this process never leads, so it never runs timed work (it only serves shards).
    enabled: bool = True


class LeadershipSettings(_Section):
    """Choosing the one process that runs timed work, when several share PostgreSQL."""

    # How often a process that does not lead tries to take the lead, and how often
    # the leader checks that it still holds it.
    retry_seconds: float = Field(default=5.0, ge=0.1, le=300)
    # Within this many seconds PostgreSQL notices a leader whose machine vanished
    # without closing its connection (TCP keepalives), and frees the lead.
    lost_after_seconds: int = Field(default=30, ge=3, le=3600)
    # The leader re-reads every planned reminder this often, in case a wake-up
    # from another process was lost.
    refresh_seconds: float = Field(default=60.0, ge=1, le=3600)

    @model_validator(mode="after")
    def _lost_after_retry(self) -> LeadershipSettings:
        # A leader cut off from PostgreSQL must notice (one check and its timeout,
        # 2 x retry_seconds) before PostgreSQL hands the lead to another process.
        if self.lost_after_seconds < 3 * self.retry_seconds:
            raise ValueError(
                f"lost_after_seconds must be at least 3 x retry_seconds "
                f"({3 * self.retry_seconds:g})"
            )
        return self


METRICS_HOST = "127.0.0.1"


class MetricsSettings(_Section):
    """The optional Prometheus endpoint (``vcpbot.metrics``): off unless turned on, and
    only ever on this machine's loopback address."""

    enabled: bool = False
    # Only 127.0.0.1: counts of a bot for vulnerable moments are nobody else's business;
    # a Prometheus elsewhere reaches them through an SSH tunnel or a local agent.
    host: str = METRICS_HOST
    # 0: any free port (tests).
    port: int = Field(default=9464, ge=0, le=65535)

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, value: str) -> str:
        if value != METRICS_HOST:
            raise ValueError(
                f"the metrics endpoint listens on {METRICS_HOST} only, not {value!r}; "
                "scrape it from this machine (or through an SSH tunnel)"
            )
        return value


# An ISO 8601 duration in days/weeks and hours/minutes, as the intervisie reminders read it.
_ISO_LEAD = re.compile(r"^P(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?)?$")


class IntervisieSettings(_Section):
    """Intervisie sessions: reminder lead times, late delivery, limits."""

    # P7D = the same clock time 7 days before (nominal days); PT24H = 24 elapsed hours.
    reminder_leads: list[str] = Field(default_factory=lambda: ["P7D", "PT24H", "PT1H"])
    # More lead times a VCP may choose for themselves (``/intervisie mine``, the
    # invitation). reminder_leads are what someone gets who has not chosen; together
    # they are everything the coordinator allows.
    optional_leads: list[str] = Field(default_factory=lambda: ["PT3H"])
    # Those of reminder_leads that go only to invitees who answered Yes or Maybe.
    attending_only_leads: list[str] = Field(default_factory=lambda: ["PT1H"])
    # A reminder that fell due while the bot was down is still sent this long after.
    catch_up_grace_minutes: int = Field(default=120, ge=0, le=7 * 24 * 60)
    max_duration_minutes: int = Field(default=8 * 60, ge=15, le=24 * 60)
    # How long someone on a waiting list has to take a place that came free; shorter
    # when the session is sooner (half the time left until it starts).
    waitlist_offer_hours: int = Field(default=24, ge=1, le=14 * 24)

    @field_validator("reminder_leads", "optional_leads", "attending_only_leads")
    @classmethod
    def _leads(cls, value: list[str]) -> list[str]:
        cleaned = [lead.strip().upper() for lead in value]
        bad = [lead for lead in cleaned if lead in ("P", "PT") or not _ISO_LEAD.match(lead)]
        if bad:
            raise ValueError(
                f"{', '.join(bad)}: use ISO 8601 durations such as P7D, PT24H or PT30M"
            )
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("each lead time may appear once")
        return cleaned

    @field_validator("attending_only_leads")
    @classmethod
    def _attending_only_are_leads(cls, value: list[str], info: ValidationInfo) -> list[str]:
        leads = {*info.data.get("reminder_leads", value), *info.data.get("optional_leads", ())}
        extra = sorted(set(value) - leads)
        if extra:
            raise ValueError(f"{', '.join(extra)} must also be in reminder_leads or optional_leads")
        return value


class EscalationSettings(_Section):
    """Anonymous escalation: clocks, limits, retention and the receipt hash's cost."""

    retention_days: int = Field(default=90, ge=1, le=3650)
    ack_urgent_hours: int = Field(default=4, ge=1, le=72)
    ack_soon_working_days: int = Field(default=2, ge=1, le=30)
    ack_routine_working_days: int = Field(default=5, ge=1, le=60)
    cases_per_day: int = Field(default=3, ge=1, le=100)
    receipt_misses_per_day: int = Field(default=10, ge=1, le=1000)
    pattern_window_days: int = Field(default=30, ge=1, le=365)
    argon2_time_cost: int = Field(default=3, ge=1, le=20)
    argon2_memory_kib: int = Field(default=19456, ge=8, le=1048576)
    argon2_parallelism: int = Field(default=1, ge=1, le=16)
    # How often the delivery worker looks for cards and notices to retry (it is
    # also woken right after every change, so this only paces retries).
    outbox_poll_seconds: float = Field(default=5.0, ge=0.1, le=300)
    # Cards of non-urgent cases go out in batches, at a moment drawn at random this many
    # minutes after the first case of the batch, so a card's time does not tell when
    # someone pressed Submit. Urgent cases go at once. 0 and 0: every card at once.
    # A gate for brand-new accounts on the member route (0: off). It keeps out throwaway
    # accounts, and also a member who made a new account to stay anonymous: they are
    # pointed to their VCPs and the UM team directly. Checked, never stored.
    min_account_age_days: int = Field(default=0, ge=0, le=365)
    min_member_days: int = Field(default=0, ge=0, le=365)
    batch_min_minutes: int = Field(default=15, ge=0, le=24 * 60)
    batch_max_minutes: int = Field(default=45, ge=0, le=24 * 60)
    # Files a reporter adds to their case (evidence), sealed like the text: the most
    # one file may weigh, all of a case's files together, and how many a case may hold.
    # A file must also fit Discord's own upload limit to be shown again (10 MiB for bots).
    evidence_file_max_kib: int = Field(default=8 * 1024, ge=16, le=10 * 1024)
    evidence_case_max_kib: int = Field(default=25 * 1024, ge=16, le=500 * 1024)
    evidence_case_max_files: int = Field(default=10, ge=0, le=50)

    @field_validator("batch_max_minutes")
    @classmethod
    def _batch_window(cls, value: int, info: ValidationInfo) -> int:
        if value < info.data.get("batch_min_minutes", 0):
            raise ValueError("batch_max_minutes must be at least batch_min_minutes")
        return value

    @field_validator("argon2_parallelism")
    @classmethod
    def _argon2_memory(cls, value: int, info: ValidationInfo) -> int:
        # Argon2 needs at least 8 KiB of memory per lane.
        if info.data.get("argon2_memory_kib", 8 * value) < 8 * value:
            raise ValueError("argon2_memory_kib must be at least 8 x argon2_parallelism")
        return value


class KmtmSettings(_Section):
    """KMTM reporting: small-count suppression and the undo window for logged contacts."""

    # Counts below k are hidden in reports (the "threshold rule"); never below 3.
    k: int = 5
    # A category, relation or follow-up count is shown only when this many
    # associations contributed to it; never below 3.
    min_contributors: int = 3
    # Round published counts to the nearest 5 (after suppression).
    round_to_5: bool = False
    # How long a VCP can take back a contact they logged by mistake.
    undo_minutes: int = Field(default=5, ge=1, le=60)
    # Days after a period's last day in which a late contact (from its last evening)
    # can still be logged, until the coordinator closes the period. Three covers a
    # period that ends on a weekend night being logged by the Monday evening.
    grace_days: int = Field(default=3, ge=0, le=14)
    # How many periods the year-by-year report puts side by side.
    year_periods: int = Field(default=5, ge=2, le=10)

    @field_validator("k", "min_contributors")
    @classmethod
    def _at_least_three(cls, value: int) -> int:
        if value < 3:
            raise ValueError(
                f"must be at least 3 (got {value}); smaller numbers can single out a person"
            )
        return value


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at asyncpg and plain SQLite URLs at aiosqlite."""
    url = url.strip()
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg2://",
        "postgresql+psycopg://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


class Settings(BaseSettings):
    """Everything the bot can be told; ``config/vcpbot.example.toml`` documents each key."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        frozen=True,
        case_sensitive=False,
    )

    discord_token: SecretStr | None = Field(
        default=None, description="The bot token (secret: environment or secrets dir only)."
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; postgres:// and postgresql:// are run through asyncpg.",
    )
    hub_guild_id: int | None = Field(
        default=None, description="The guild where the UM team works (the hub)."
    )
    timezone: str = Field(default="Europe/Amsterdam", description="Time zone shown to people.")
    default_locale: Literal["nl", "en"] = Field(
        default="nl", description="Language of the hub's cards, reports and channel posts."
    )
    cogs: list[str] = Field(
        default_factory=lambda: list(ALL_COGS), description="Feature cogs to load."
    )
    discord_api_base: str = Field(
        default=DISCORD_API_BASE, description="REST base; point at the emulator to test."
    )
    discord_gateway_url: str = Field(
        default=DISCORD_GATEWAY_URL, description="Gateway URL; point at the emulator to test."
    )
    dev_guild_id: int | None = Field(
        default=None, description="When set, `vcpbot sync` also copies commands to this guild."
    )
    application_id: int | None = Field(
        default=None,
        description="The Discord application (client) id, for `vcpbot invite-url`.",
    )
    shard_ids: list[int] | None = Field(default=None, description="Shards this process runs.")
    shard_count: int | None = Field(
        default=None, ge=1, description="Total number of shards (the same in every process)."
    )
    gc_freeze: bool = Field(
        default=True,
        description=(
            "Once ready, move start-up's objects out of the garbage collector's way "
            "(gc.freeze), so full collections do not pause every interaction."
        ),
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level of the bot (discord.http stays at WARNING)."
    )
    master_keys: SecretStr | None = Field(
        default=None,
        description="Encryption keys for case content (secret: environment or secrets dir only).",
    )
    index_key: SecretStr | None = Field(
        default=None,
        description="Key that finds a case from its receipt (secret, like master_keys).",
    )
    runtime_dir: Path | None = Field(
        default=None,
        description=(
            "Directory in memory (tmpfs) for the runtime key behind rate limits, blocks and "
            "DM notices; default $RUNTIME_DIRECTORY, else $XDG_RUNTIME_DIR/vcpbot, else "
            "/run/vcpbot."
        ),
    )
    help_resources_file: Path = Field(
        default=Path("config/help_resources.toml"),
        description="Help on offer shown by /help (numbers, links, opening hours).",
    )
    procedure_file: Path = Field(
        default=Path("config/procedure.toml"),
        description="The reporting procedure in words, shown by /procedure (kept by the UM).",
    )
    privacy_statement_url: str | None = Field(
        default=None, description="The deployment's privacy statement, linked from /privacy."
    )
    guides_url: str | None = Field(
        default=None,
        description="Where boards, VCPs and students find the guides (docs/guide-*.md), "
        "linked from the note the bot posts when it is added to a server.",
    )
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    leadership: LeadershipSettings = Field(default_factory=LeadershipSettings)
    intervisie: IntervisieSettings = Field(default_factory=IntervisieSettings)
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    kmtm: KmtmSettings = Field(default_factory=KmtmSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        value = normalise_database_url(value)
        if not re.match(r"^(sqlite\+aiosqlite|postgresql\+asyncpg)://", value):
            raise ValueError(
                "use a sqlite:///path.db or postgresql://user@host/db URL "
                f"(got one starting with {value.split(':', 1)[0]!r})"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use a name like Europe/Amsterdam"
            ) from None
        return value

    @field_validator("discord_api_base", "discord_gateway_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^(https?|wss?)://", value):
            raise ValueError("must start with http://, https://, ws:// or wss://")
        return value.rstrip("/") if value.startswith("http") else value

    @field_validator("shard_ids")
    @classmethod
    def _shard_ids(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and (not value or len(set(value)) != len(value)):
            raise ValueError("list each shard once, e.g. [0, 1]")
        return value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids is None:
            return self
        if self.shard_count is None:
            raise ValueError("shard_ids needs shard_count (the total number of shards)")
        outside = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
        if outside:
            raise ValueError(
                f"shard_ids {outside} outside 0..{self.shard_count - 1} (shard_count is "
                f"{self.shard_count})"
            )
        return self

    @field_validator("cogs")
    @classmethod
    def _cogs(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in ALL_COGS]
        if unknown:
            known = ", ".join(ALL_COGS) or "none"
            raise ValueError(f"unknown cog(s) {', '.join(unknown)}; known: {known}")
        return value

    @field_validator("privacy_statement_url")
    @classmethod
    def _privacy_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://", value):
            raise ValueError("must be a web address starting with https://")
        return value

    def resolve_path(self, path: Path) -> Path:
        """Relative paths are read from the working directory, else from the checkout."""
        if path.is_absolute() or path.exists():
            return path
        return Path(__file__).resolve().parents[1] / path

    @property
    def runtime_directory(self) -> Path:
        """Where the runtime key lives: the setting, else systemd's RuntimeDirectory=,
        else the user's runtime directory, else /run/vcpbot."""
        if self.runtime_dir is not None:
            return self.runtime_dir
        systemd = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
        if systemd:
            return Path(systemd)
        user = os.environ.get("XDG_RUNTIME_DIR")
        return Path(user) / "vcpbot" if user else Path("/run/vcpbot")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None or self.shard_ids is not None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = _toml_file.get()
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            env_settings,
            dotenv_settings,
            file_secret_settings,
        ]
        if toml is not None:
            sources.append(_NoSecretsTomlSource(settings_cls, toml_file=toml))
        return tuple(sources)

    @classmethod
    def load(
        cls,
        *,
        config_file: Path | None = DEFAULT_CONFIG_FILE,
        env_file: Path | None = Path(".env"),
        secrets_dir: Path | None = None,
        **values: Any,
    ) -> Settings:
        """Build settings from every source, or raise ``SettingsError`` listing each problem."""
        problems = _unknown_env_keys(os.environ)
        token = _toml_file.set(config_file if config_file and config_file.exists() else None)
        try:
            settings = cls(
                _env_file=env_file if env_file and env_file.exists() else None,
                _secrets_dir=secrets_dir,
                **values,
            )
        except ValidationError as exc:
            problems.extend(_describe(exc))
        except _TomlSecretError as exc:
            problems.append(str(exc))
        finally:
            _toml_file.reset(token)
        if problems:
            raise SettingsError(problems)
        return settings


class _TomlSecretError(ValueError):
    pass


class _NoSecretsTomlSource(TomlConfigSettingsSource):
    """The TOML file is for non-secret configuration; it is often committed or shared."""

    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        leaked = sorted(SECRET_FIELDS & set(data))
        if leaked:
            names = ", ".join(f"VCPBOT_{name.upper()}" for name in leaked)
            raise _TomlSecretError(
                f"{', '.join(leaked)}: secrets do not belong in {self.toml_file_path}; "
                f"set {names} in the environment or the secrets directory"
            )
        return data


def _unknown_env_keys(environ: Mapping[str, str]) -> list[str]:
    known = {name.upper() for name in Settings.model_fields}
    problems = []
    for key in sorted(environ):
        upper = key.upper()
        if not upper.startswith(ENV_PREFIX) or upper.startswith(TEST_ENV_PREFIX):
            continue
        field = upper[len(ENV_PREFIX) :].split("__", 1)[0]
        if field not in known:
            problems.append(f"{key}: not a vcpbot setting (see config/vcpbot.example.toml)")
    return problems


def _describe(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "not a vcpbot setting (see config/vcpbot.example.toml)"
        # A check across several settings names them in its message.
        lines.append(f"{where}: {message}" if where else message)
    return lines
