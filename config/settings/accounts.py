"""Accounts: password hashing, second factors, sessions and the limits on one-time codes.

Limits follow NIST SP 800-63B and ASVS 5.0 V6; docs/accounts.md explains each one.
"""

from config.env import env_list, env_str

PASSWORD_HASHERS = [
    "bawaba.accounts.hashers.BawabaArgon2Hasher",
    # Older hashes still verify and are upgraded to the first hasher at the next sign-in.
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "bawaba.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "bawaba.accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "bawaba.accounts.passwords.PersonalInformationValidator"},
]
AUTHENTICATION_BACKENDS = ["bawaba.accounts.backends.PhoneOrUsernameBackend"]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "accounts:home"

# django-otp: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = env_str("BAWABA_OTP_ISSUER", "Bawaba")

# A session ends after this long however active it is (ASVS 7.3.2); the idle limit is SESSION_COOKIE_AGE.
BAWABA_SESSION_ABSOLUTE_SECONDS = int(env_str("BAWABA_SESSION_ABSOLUTE_SECONDS", str(12 * 3600)))
# Sensitive changes (phone, password, second factor, deletion) need a sign-in this recent (ASVS 7.5.1).
BAWABA_REAUTH_SECONDS = int(env_str("BAWABA_REAUTH_SECONDS", str(10 * 60)))

# One-time codes: the waits between codes for one verification (seconds), the last one repeating.
BAWABA_CODE_RESEND_WAITS = [int(s) for s in env_list("BAWABA_CODE_RESEND_WAITS", "30,60,120,300,600")]
BAWABA_CODES_PER_NUMBER_PER_HOUR = int(env_str("BAWABA_CODES_PER_NUMBER_PER_HOUR", "5"))
BAWABA_CODES_PER_NUMBER_PER_DAY = int(env_str("BAWABA_CODES_PER_NUMBER_PER_DAY", "10"))
# Generous: many phones share one address behind a mobile operator's carrier-grade NAT.
BAWABA_CODES_PER_ADDRESS_PER_DAY = int(env_str("BAWABA_CODES_PER_ADDRESS_PER_DAY", "200"))
# Wrong codes per verification: free tries, then growing waits, then a hard stop for a day.
BAWABA_CODE_FREE_ATTEMPTS = int(env_str("BAWABA_CODE_FREE_ATTEMPTS", "3"))
BAWABA_CODE_MAX_ATTEMPTS = int(env_str("BAWABA_CODE_MAX_ATTEMPTS", "10"))

# What the waiting page offers when a code does not come, besides asking again by SMS:
# any of sms_other (another SMS provider), voice, whatsapp, service_centre.
BAWABA_VERIFICATION_ALTERNATIVES = env_list("BAWABA_VERIFICATION_ALTERNATIVES", "sms_other,service_centre")
# The catalogue service whose offices verify a number in person ("verify at a service centre").
BAWABA_VERIFICATION_SERVICE = env_str("BAWABA_VERIFICATION_SERVICE", "bawaba-account-verification")

# Password sign-in (docs/decisions/0011): failures from untrusted browsers per number before waits start,
# the first and longest wait, how long failures are remembered, and failures per address (generous: CGNAT).
BAWABA_SIGN_IN_FREE_FAILURES = int(env_str("BAWABA_SIGN_IN_FREE_FAILURES", "5"))
BAWABA_SIGN_IN_FIRST_WAIT_SECONDS = int(env_str("BAWABA_SIGN_IN_FIRST_WAIT_SECONDS", "60"))
BAWABA_SIGN_IN_LONGEST_WAIT_SECONDS = int(env_str("BAWABA_SIGN_IN_LONGEST_WAIT_SECONDS", "3600"))
BAWABA_SIGN_IN_FAILURE_MEMORY_SECONDS = int(env_str("BAWABA_SIGN_IN_FAILURE_MEMORY_SECONDS", str(24 * 3600)))
BAWABA_SIGN_IN_FAILURES_PER_ADDRESS = int(env_str("BAWABA_SIGN_IN_FAILURES_PER_ADDRESS", "100"))
BAWABA_SIGN_IN_ADDRESS_WINDOW_SECONDS = int(env_str("BAWABA_SIGN_IN_ADDRESS_WINDOW_SECONDS", str(15 * 60)))
