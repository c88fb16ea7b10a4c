"""Tests of the accounts app, one folder per part (verification, signup, signin, ...)."""
