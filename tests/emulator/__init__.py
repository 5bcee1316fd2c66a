"""The Discord emulator itself, checked against Discord's documented behaviour."""
