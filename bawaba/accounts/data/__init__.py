"""Data files bundled with the accounts app (see README.md)."""
