"""The database layer: models, engine and sessions. Never imports discord."""

from vcpbot.db.base import Base, UTCDateTime
from vcpbot.db.engine import Database, create_database

__all__ = ["Base", "Database", "UTCDateTime", "create_database"]
