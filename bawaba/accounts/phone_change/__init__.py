"""Changing the mobile number: verify the new one, tell the old one."""
