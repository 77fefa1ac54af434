"""Development outbox: every email and SMS kept as a file, listed at /dev/outbox (DEBUG only)."""
