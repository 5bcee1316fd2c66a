"""The custom_id feature part of every component of the rules library."""

from __future__ import annotations

FEATURE = "rules"
