"""The network: the hub, associations joining, the VCP registry, the bot's first words."""
