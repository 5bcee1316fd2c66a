"""Which desk works on a case, and who of it has taken the case: shared by the desk's own
functions (``_casework``), the cards (``_handling``) and the nudges (``_signals``)."""

from __future__ import annotations

import json
from typing import Any

from vcpbot.db.escalation import Case, Desk
from vcpbot.services.escalation._core import open_for, with_team
from vcpbot.services.escalation._types import EscalationConfig, Handler


def desk_of(handler: Handler) -> Desk:
    return Desk.TEAM if handler.is_team else Desk.VCPS


def holder_desk(case: Case) -> Desk:
    return Desk.TEAM if with_team(case) else Desk.VCPS


def claimed_by_holder(case: Case) -> bool:
    """Taken by the desk that holds the case now (a VCP's claim before forwarding is not)."""
    return case.claim_desk is not None and case.claim_desk == holder_desk(case).value


def claimer_of(config: EscalationConfig, case: Case) -> tuple[Desk, dict[str, Any]] | None:
    """Which desk took the case and who, opened from its seal."""
    if case.claim_desk is None or case.claim is None:
        return None
    return Desk(case.claim_desk), json.loads(open_for(config, case, case.claim, "claim"))
