"""Runnable examples: ``my_claims`` (a user's own claim module)."""
