"""Anonymous escalation and the member route, as VCPs, members and the UM team see it."""
