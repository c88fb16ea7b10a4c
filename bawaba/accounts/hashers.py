"""Argon2id at OWASP's recommended minimum: 19 MiB of memory, 2 passes, 1 lane (Password Storage Cheat Sheet).

Django's own Argon2 hasher uses 100 MiB and 8 lanes; at that cost a sign-in storm exhausts a web node's
memory long before its processors. Hashes keep their parameters, so raising these later re-hashes each
password at its owner's next sign-in (Django's `must_update`). Decision: docs/decisions/0010.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class BawabaArgon2Hasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
