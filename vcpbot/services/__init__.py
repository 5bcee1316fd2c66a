"""Business rules, one module per capability.

Plain values in, dataclasses out; services never commit and never import discord.
"""
