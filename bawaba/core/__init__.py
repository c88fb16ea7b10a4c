"""Shared building blocks. Imports no other Bawaba app."""
