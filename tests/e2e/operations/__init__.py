"""The bot as an operator runs it: crashes, database faults, logs, metrics, permissions."""
