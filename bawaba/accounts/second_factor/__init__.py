"""Second factors: an authenticator app (TOTP), recovery codes, and SMS codes as the weaker option."""
