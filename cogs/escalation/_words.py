"""Escalation's small renderers: a label, a status, how soon, no case for this receipt."""

from __future__ import annotations

from typing import Any

from vcpbot.i18n import Locale, t
from vcpbot.services import escalation
from vcpbot.services.escalation import CaseStatus, EscalationConfig


def label(kind: str, value: Any, locale: Locale) -> str:
    """``escalation.<kind>.<value>``: a category, urgency, status, route or outcome."""
    return t(f"escalation.{kind}.{getattr(value, 'value', value)}", locale)


def due_phrase(urgency: escalation.Urgency, config: EscalationConfig, locale: Locale) -> str:
    """``4 hours``, ``2 working days``: how soon the handlers aim to respond."""
    policy = config.policy
    if urgency is escalation.Urgency.URGENT:
        return t("common.hours", locale, count=policy.ack_urgent_hours)
    if urgency is escalation.Urgency.SOON:
        return t("common.working_days", locale, count=policy.ack_soon_working_days)
    return t("common.working_days", locale, count=policy.ack_routine_working_days)


def receipt_not_found(config: EscalationConfig, locale: Locale) -> str:
    """No case for this receipt; and how long a closed case is kept, in days."""
    days = t("common.days", locale, count=config.policy.retention_days)
    return t(escalation.RECEIPT_NOT_FOUND, locale, days=days)


def status_text(status: CaseStatus, outcome: escalation.Outcome | None, locale: Locale) -> str:
    if status is CaseStatus.CLOSED and outcome is not None:
        return t("escalation.card.closed_with", locale, outcome=label("outcome", outcome, locale))
    return label("status", status, locale)
