"""vcpbot: a Discord bot for the peer network of confidential contact persons."""

__version__ = "0.1.0"
