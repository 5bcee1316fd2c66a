"""A pooled PostgreSQL connection is checked before use only after it sat idle a while.

SQLAlchemy's ``pool_pre_ping`` sends a round trip to the server at every checkout, before
the session's own statements: on the ``/rules`` path, where a member's own
acknowledgements are one short query, the ping was about half of that read's cost
(benchmarks/README.md, issue 21). A connection that was used a moment ago is alive;
the ones worth checking are those that sat in the pool while the server may have
restarted or a firewall dropped them. So a connection is pinged only when it has been
idle for more than ``IDLE_PING_S`` (and a fresh one never).

What this gives up: a connection broken within that window (the server restarted under
load) fails its next statement instead of being replaced before it. SQLAlchemy then sees
the disconnect and replaces every connection the pool holds, so that costs one
interaction per process its calm error reply, and the person can try again at once.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine

IDLE_PING_S = 10.0
_USED = "vcpbot_last_used"


def ping_when_idle(engine: AsyncEngine, idle_seconds: float = IDLE_PING_S) -> None:
    """Install the check on ``engine``'s pool (instead of ``pool_pre_ping``)."""
    pool, dialect = engine.sync_engine.pool, engine.sync_engine.dialect

    def used(_dbapi_connection: Any, record: Any, *_: Any) -> None:
        record.info[_USED] = time.monotonic()

    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_USED)
        if last is not None and time.monotonic() - last < idle_seconds:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError() from error  # the pool connects anew
            raise
        if not alive:
            raise exc.DisconnectionError()

    event.listen(pool, "connect", used)
    event.listen(pool, "checkin", used)
    event.listen(pool, "checkout", check)
