"""Escalation's services: cases, consent, the outbox, closing, encryption at rest."""
