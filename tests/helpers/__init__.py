"""Checks the whole suite shares: no person in the logs, calendar files as clients read them."""
