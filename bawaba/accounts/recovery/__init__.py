"""Account recovery by a code to the phone, never bypassing a second factor."""
