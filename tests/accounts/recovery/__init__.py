"""Account recovery by a code to the phone."""
