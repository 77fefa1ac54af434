"""Password storage: Argon2id with OWASP's parameters (Password Storage Cheat Sheet)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB of memory, 2 iterations, 1 lane. Same algorithm name as Django's: a hash
    made with other parameters is redone with these at the next login (must_update)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
