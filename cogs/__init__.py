"""Feature cogs: Discord adapters only. Each package holds one feature; none imports another."""
