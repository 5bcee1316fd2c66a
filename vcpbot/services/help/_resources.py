"""The help on offer, as deployment data (``config/help_resources.toml``), and what a
deployment must still fill in before students rely on it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vcpbot.i18n import Locale


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    nl: str = Field(min_length=1, max_length=600)
    en: str = Field(min_length=1, max_length=600)

    def __call__(self, locale: Locale) -> str:
        return self.nl if locale == "nl" else self.en


class Resource(_Strict):
    name: Bilingual
    detail: Bilingual
    phone: str | None = Field(default=None, max_length=40)
    url: str | None = Field(default=None, max_length=300, pattern=r"^https?://")
    hours: Bilingual | None = None

    @property
    def shown_phone(self) -> str | None:
        """The number, unless it is still a placeholder: a student never reads "TODO"."""
        return self.phone if self.phone and phone_problem(self.phone) is None else None

    @property
    def shown_url(self) -> str | None:
        """The page, unless it is a placeholder (a too general page is still a page)."""
        return self.url if self.url and url_problem(self.url) != "placeholder" else None


class HelpResources(_Strict):
    um_team: Resource
    um_contacts: list[Resource] = Field(default_factory=list, max_length=8)
    external: list[Resource] = Field(min_length=1, max_length=10)


class HelpResourcesError(ValueError):
    """The file cannot be used; the message names the file and each problem."""


def load_help_resources(path: Path) -> HelpResources:
    """Read and check ``config/help_resources.toml``.

    Raises HelpResourcesError, naming the file and every problem, when it is missing,
    is not TOML, or does not match the schema.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HelpResourcesError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise HelpResourcesError(f"{path}: not valid TOML ({exc})") from None
    try:
        return HelpResources.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise HelpResourcesError(f"{path}: {problems}") from None


# --- what a deployment must still fill in --------------------------------------------------
#
# The file that ships is an example. A contact point without a number, or one whose
# number or page is still a placeholder, would leave a student in a difficult moment with
# nowhere to call, so `vcpbot check` names each one and /help leaves placeholders out.

# Words and shapes that stand in for a value not yet filled in ("TODO", "[number]", "...").
_MARKER = re.compile(
    r"\b(?:todo|tbd|fixme|placeholder|invullen)\b|\[[^\]]*\]|<[^>]*>|\.\.\.|…|x{2,}",
    re.IGNORECASE,
)
# The same in a text a student reads; dots and brackets are ordinary punctuation there.
_TEXT_MARKER = re.compile(r"\b(?:todo|tbd|fixme|lorem ipsum)\b|\[\[|\[\.\.\.\]|\[…\]", re.I)
# Hosts that are never a real contact's page (RFC 2606 and RFC 6761 names).
_RESERVED_HOSTS = ("example.com", "example.org", "example.net", "localhost")
_RESERVED_SUFFIXES = (".example", ".invalid", ".test", ".localhost")
# The university's home page, in either language: a real page, but not the contact point.
UNIVERSITY_HOSTS = ("maastrichtuniversity.nl",)
_HOME_PATHS = ("", "nl", "en")
MIN_PHONE_DIGITS = 3  # 112
_ASCENDING = "0123456789"
_RUN = 6  # "123456" in a number is someone's keyboard, not a phone number


def is_placeholder_text(value: str) -> bool:
    """A text a student would read that still stands in for one ("TODO", "[...]")."""
    return bool(_TEXT_MARKER.search(value))


def phone_problem(value: str) -> str | None:
    """Why ``value`` is not a number a student can call, or None."""
    stripped = value.strip()
    if not stripped:
        return "empty"
    digits = re.sub(r"\D", "", stripped)
    if (
        _MARKER.search(stripped)
        or len(digits) < MIN_PHONE_DIGITS
        or (len(digits) > MIN_PHONE_DIGITS and len(set(digits)) == 1)
        or any(_ASCENDING[i : i + _RUN] in digits for i in range(len(_ASCENDING) - _RUN + 1))
    ):
        return "placeholder"
    return None


def url_problem(value: str) -> str | None:
    """Why ``value`` is not a page a student can open for this help, or None."""
    try:
        parts = urlsplit(value.strip())
        host = (parts.hostname or "").lower()
    except ValueError:  # "https://[...]" is no address at all
        return "placeholder"
    if (
        not host
        or _MARKER.search(value)
        or host in _RESERVED_HOSTS
        or host.endswith(_RESERVED_SUFFIXES)
        or any(host.endswith("." + h) for h in _RESERVED_HOSTS)
    ):
        return "placeholder"
    if host.removeprefix("www.") in UNIVERSITY_HOSTS and parts.path.strip("/") in _HOME_PATHS:
        return "the university's home page"
    return None


_ADVICE = {
    "missing": "missing; students need {what} for the UM contact point",
    "empty": "empty; fill in {what}",
    "placeholder": "placeholder {value!r}; fill in {what}",
    "the university's home page": (
        "the university's home page ({value}), not the contact point's own page"
    ),
}
_WHAT = {"phone": "a phone number to call or text", "url": "the page of this contact"}


def _line(where: str, field: str, problem: str, value: str = "") -> str:
    return f"{where}.{field}: " + _ADVICE[problem].format(what=_WHAT.get(field, "it"), value=value)


def _resource_problems(where: str, resource: Resource, *, required: bool = False) -> list[str]:
    lines = []
    texts = {"name": resource.name, "detail": resource.detail, "hours": resource.hours}
    for field, text in texts.items():
        for locale in ("nl", "en"):
            value = getattr(text, locale) if text is not None else ""
            if is_placeholder_text(value):
                lines.append(f"{where}.{field}.{locale}: placeholder {value[:40]!r}; fill it in")
    checks = (("phone", resource.phone, phone_problem), ("url", resource.url, url_problem))
    for field, value, check in checks:
        if value is None:
            if required:
                lines.append(_line(where, field, "missing"))
        elif problem := check(value):
            lines.append(_line(where, field, problem, value))
    return lines


def unfilled_resources(resources: HelpResources) -> list[str]:
    """What this deployment must still fill in, one line each, in the file's order.

    The UM contact point must have a phone number and its own page; any other resource
    may go without, but what it gives must not be a placeholder.
    """
    lines = _resource_problems("um_team", resources.um_team, required=True)
    for group in ("um_contacts", "external"):
        for i, resource in enumerate(getattr(resources, group)):
            lines += _resource_problems(f"{group}.{i} ({resource.name('en')})", resource)
    return lines
