"""One-time codes that prove a person holds a mobile number: sending, limits, checking, delivery status."""
