"""Citizens and staff: the user model, and (in later issues) phone verification, login and sessions."""
