"""The help on offer, as deployment data (``config/help_resources.toml``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

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


class HelpResources(_Strict):
    um_team: Resource
    um_contacts: list[Resource] = Field(default_factory=list, max_length=8)
    external: list[Resource] = Field(min_length=1, max_length=10)


class HelpResourcesError(ValueError):
    """The file cannot be used; the message names the file and each problem."""


def load_help_resources(path: Path) -> HelpResources:
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
