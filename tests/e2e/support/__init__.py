"""What many end-to-end folders use: the bot's test settings, the write guard, database
faults, a crash process."""
