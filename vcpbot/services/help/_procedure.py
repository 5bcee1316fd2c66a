"""The reporting procedure in words (``config/procedure.toml``, ``/procedure``): what
counts, for whom and where, confidentiality, the options, who investigates and what can
follow (Let's Talk About Yes, point 4), kept by the UM as deployment data, versioned.

A section that still holds a placeholder is not shown to students; ``vcpbot check``
names it, so no deployment tells a student "[...]" about who will handle their complaint.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from vcpbot.i18n import Locale
from vcpbot.services.help._resources import is_placeholder_text, url_problem

TITLE_MAX = 200
TEXT_MAX = 900
SECTIONS_MAX = 6
# Everything shown in one Discord message: 6,000 characters for all its embeds together.
MESSAGE_MAX = 5600


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Title(_Strict):
    nl: str = Field(min_length=1, max_length=TITLE_MAX)
    en: str = Field(min_length=1, max_length=TITLE_MAX)

    def __call__(self, locale: Locale) -> str:
        return self.nl if locale == "nl" else self.en


class Text(_Strict):
    nl: str = Field(min_length=1, max_length=TEXT_MAX)
    en: str = Field(min_length=1, max_length=TEXT_MAX)

    def __call__(self, locale: Locale) -> str:
        return self.nl if locale == "nl" else self.en


class Section(_Strict):
    title: Title
    text: Text

    def filled_in(self) -> bool:
        return not any(
            is_placeholder_text(value)
            for value in (self.title.nl, self.title.en, self.text.nl, self.text.en)
        )


class Links(_Strict):
    complaint: str | None = Field(default=None, max_length=300, pattern=r"^https?://")

    @property
    def shown_complaint(self) -> str | None:
        """The complaints page, unless it is a placeholder or the bare home page."""
        return self.complaint if self.complaint and url_problem(self.complaint) is None else None


class Procedure(_Strict):
    version: date
    sections: list[Section] = Field(min_length=1, max_length=SECTIONS_MAX)
    links: Links = Field(default_factory=Links)

    @model_validator(mode="after")
    def _fits_one_message(self) -> Procedure:
        for locale in ("nl", "en"):
            size = sum(len(s.title(locale)) + len(s.text(locale)) for s in self.sections)
            if size > MESSAGE_MAX:
                raise ValueError(
                    f"the {locale} texts together are {size} characters; Discord shows at "
                    f"most {MESSAGE_MAX} in one message: shorten them"
                )
        return self

    def shown(self) -> list[Section]:
        return [section for section in self.sections if section.filled_in()]


class ProcedureError(ValueError):
    """The file cannot be used; the message names the file and each problem."""


def load_procedure(path: Path) -> Procedure:
    """Read and check ``config/procedure.toml``.

    Raises ProcedureError, naming the file and every problem, when it is missing, is
    not TOML, or does not match the schema.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProcedureError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProcedureError(f"{path}: not valid TOML ({exc})") from None
    try:
        return Procedure.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise ProcedureError(f"{path}: {problems}") from None


def unfilled_procedure(procedure: Procedure) -> list[str]:
    """What the UM must still fill in, one line each."""
    lines = [
        f"sections.{i} ({section.title('en')}): placeholder text; fill it in "
        "(students do not see this section until then)"
        for i, section in enumerate(procedure.sections)
        if not section.filled_in()
    ]
    if procedure.links.complaint is not None and (
        problem := url_problem(procedure.links.complaint)
    ):
        lines.append(
            f"links.complaint: {problem} ({procedure.links.complaint}); "
            "fill in the page of the Complaints Service Point"
        )
    return lines
