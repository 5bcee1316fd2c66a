"""The KMTM count: periods, logging contacts, the panel, reports and exports."""
