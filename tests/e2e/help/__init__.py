"""/help and /procedure: what each audience is shown, and the association's contact."""
