"""Every component's custom_id is built and parsed here: ``vcp:<feature>:<action>[:<opaque>]``.

The opaque part is a random token that maps to a row, never a case number, a
user id or text, and a press always re-checks from the database who may act.
"""

from __future__ import annotations

import re

PREFIX = "vcp"
MAX_LENGTH = 100
_PART = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")
_OPAQUE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
OPAQUE_PATTERN = r"[A-Za-z0-9_-]{1,64}"


def build(feature: str, action: str, opaque: str | None = None) -> str:
    if not _PART.match(feature) or not _PART.match(action):
        raise ValueError(f"bad custom_id part: {feature!r}:{action!r}")
    parts = [PREFIX, feature, action]
    if opaque is not None:
        if not _OPAQUE.match(opaque):
            raise ValueError("the opaque part must be a short url-safe token")
        parts.append(opaque)
    custom_id = ":".join(parts)
    if len(custom_id) > MAX_LENGTH:
        raise ValueError("custom_id longer than Discord allows")
    return custom_id


def template(feature: str, actions: str, *, opaque: bool = True) -> str:
    """A ``DynamicItem`` template: ``actions`` is a regex alternation such as ``approve|reject``."""
    base = rf"{PREFIX}:{re.escape(feature)}:(?P<action>{actions})"
    return base + rf":(?P<token>{OPAQUE_PATTERN})" if opaque else base


def opaque(custom_id: str) -> str | None:
    """The opaque part of one of our custom_ids, or None (not ours, or none)."""
    parts = custom_id.split(":")
    if len(parts) != 4 or parts[0] != PREFIX or not _OPAQUE.match(parts[3]):
        return None
    return parts[3]
