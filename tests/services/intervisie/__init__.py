"""Intervisie's services: planning, attendance, reminders and their leases, the calendar file."""
