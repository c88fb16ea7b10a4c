"""Signed-in sessions: timeouts, the list of sessions, signing out everywhere, re-authentication."""
