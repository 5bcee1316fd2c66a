"""The custom_id feature part of every KMTM component."""

from __future__ import annotations

FEATURE = "kmtm"
