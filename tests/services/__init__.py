"""Services on real SQLite and PostgreSQL, one folder per capability with more than one file."""
