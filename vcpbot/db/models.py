"""Imports every model module so ``Base.metadata`` knows all tables.

Alembic's autogenerate and the schema checks import this one module.
"""

from vcpbot.db import escalation, help, intervisie, kmtm, languages, network, rules, snippets  # noqa: F401
