"""KMTM's services: the count, grace, preview, chart and export."""
