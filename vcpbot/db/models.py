"""Imports every model module so ``Base.metadata`` knows all tables.

Alembic's autogenerate and the schema checks import this one module.
"""

from vcpbot.db import (  # noqa: F401
    announce,
    capacity,
    escalation,
    fanout,
    help,
    intervisie,
    kmtm,
    languages,
    network,
    polls,
    rules,
    snippets,
    training,
    yearpack,
)
