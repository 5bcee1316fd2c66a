"""The bot as several processes and shards, started and killed as the operating system does."""
