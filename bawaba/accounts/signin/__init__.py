"""Signing in with number and password, and the protection against guessing and credential stuffing."""
