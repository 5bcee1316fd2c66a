"""Whole-product stories across features: a year, a backup drill, an upgrade, languages."""
