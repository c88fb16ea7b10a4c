"""Housekeeping: purging old verification records, ending expired sessions."""
