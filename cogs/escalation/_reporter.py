"""What a reporter reads when something goes wrong: their next step, never the machinery.

A reporter (a member, or a VCP reporting to the UM team, or whoever holds a
receipt) may be in a vulnerable moment. Every error on their path (/report, the
panel button, the form, /my-case and its buttons) is shown through
``for_reporter``: the keys written for them pass as they are; any other key, a
bug's "something went wrong", a busy database, an association outside the network,
becomes one of a few texts that say what to do now, where else to go, and "call
112". Why it happened (keys not set, a restart, a missing permission) goes to the
operator's log and, when the bot starts without its keys, to the hub's log channel.
tests/test_reporter_errors.py walks every key here for words that do not belong.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# Written for reporters: they say what to do, and name nothing inside the bot.
REPORTER_ERRORS = frozenset(
    {
        "error.invalid_input",
        # Files with a case (cogs/escalation/_evidence.py).
        "evidence.error.case_full",
        "evidence.error.case_full_size",
        "evidence.error.download",
        "evidence.error.too_big",
        "evidence.error.type",
        "escalation.error.account_too_new",
        "escalation.error.blocked",
        "escalation.error.case_closed",
        "escalation.error.already_closed",
        "escalation.error.expired",
        "escalation.error.member_route_off",
        "escalation.error.no_question",
        "escalation.error.not_closed",
        "escalation.error.not_undelivered",
        "escalation.error.receipt_format",
        "escalation.error.receipt_not_found",
        "escalation.error.reopen_too_late",
        "escalation.error.role_only_reporter",
        "escalation.error.text_empty",
        "escalation.error.text_too_long",
        "escalation.error.too_many_attempts",
        "escalation.error.too_many_cases",
        "escalation.error.unknown_category",
        "escalation.error.unknown_route",
        "escalation.error.unknown_urgency",
        "escalation.error.vcp_role_needed",
    }
)

FAILED = "escalation.reporter.failed"
# Errors written for other people, in the reporter's words instead.
INSTEAD = {
    "error.internal": "escalation.reporter.internal",
    "error.busy": "escalation.reporter.busy",
    "escalation.error.unavailable": "escalation.reporter.unavailable",
    "network.error.not_in_network": "escalation.reporter.not_in_network",
    "network.error.suspended": "escalation.reporter.suspended",
    "access.association_only": "escalation.reporter.wrong_place",
    "error.dm_only_in_guild": "escalation.reporter.wrong_place",
}

# Where the bot cannot help them now: each names /help and 112.
DEAD_ENDS = frozenset(
    {
        *INSTEAD.values(),
        FAILED,
        "escalation.error.account_too_new",
        "escalation.error.blocked",
        "escalation.error.member_route_off",
        "escalation.error.too_many_attempts",
        "escalation.error.vcp_role_needed",
        "escalation.error.role_only_reporter",
    }
)


def for_reporter(key: str) -> str:
    """The key a reporter reads for an error whose catalog key is ``key``."""
    if key in REPORTER_ERRORS:
        return key
    instead = INSTEAD.get(key)
    if instead is None:
        # Said to nobody else: the key's name alone, so the operator can find the cause.
        log.warning("a reporter met %s and was told it did not work", key)
        return FAILED
    return instead


def reporter_error_keys() -> frozenset[str]:
    """Every key a reporter can read when something goes wrong."""
    return REPORTER_ERRORS | DEAD_ENDS
