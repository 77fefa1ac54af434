"""`make scaleout`: `make load`'s settings (production over plain HTTP on loopback), private files
in the database as a deployment keeps them, and a mail backend that hangs on demand."""

from load_settings import *  # noqa: F403

EMAIL_BACKEND = "scaleout_mail.HangingOutboxBackend"
