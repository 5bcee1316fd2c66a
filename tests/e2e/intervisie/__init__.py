"""Intervisie: planning, invitations, answers, reminders, the calendar feed."""
