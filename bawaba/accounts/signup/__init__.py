"""Sign-up with a mobile number: the account exists from the first step and verification resumes."""
