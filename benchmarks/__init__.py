"""Benchmarks: the real bot, in its own process, against the emulator over loopback.

Every figure is a ratio against a bare discord.py bot measured in the same run on
the same emulator. See ``benchmarks/README.md``.
"""
