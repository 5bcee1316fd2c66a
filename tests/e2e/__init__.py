"""End-to-end stories: the unmodified bot against the Discord emulator, one folder per feature."""
