"""The test suite: PostgreSQL and Redis, as in production; mail and SMS kept in memory."""

import os
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
# mail and SMS stay in memory (below), and the subprocesses some tests start keep files
os.environ.setdefault("DJANGO_ALLOW_DEVELOPMENT_OUTBOX", "true")
# DEBUG is off, so the development key is refused: the suite (and its subprocesses) has its own.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-suite-only-secret-key-" + "x" * 40)

# The bank's seal: a CA and seal certificate of the suite's own, made once per process in a temp
# dir (elliptic keys: milliseconds); subprocesses started by the tests inherit them.
if "PDF_SEAL_PKCS12" not in os.environ:
    from core.seal_material import DEVELOPMENT_PASSPHRASE, development_seal_create

    _seal = development_seal_create(
        Path(tempfile.mkdtemp(prefix="portal-seal-")), bank="Banque Exemple"
    )
    os.environ["PDF_SEAL_PKCS12"] = str(_seal.pkcs12)
    os.environ["PDF_SEAL_PASSPHRASE"] = DEVELOPMENT_PASSPHRASE
    os.environ["PDF_SEAL_TRUST_ROOTS"] = str(_seal.ca_certificate)

from portal.settings import *  # noqa: F403

# Each run its own queue and cache prefix, so parallel runs never steal each other's messages.
_RUN = uuid.uuid4().hex[:8]
CELERY_TASK_DEFAULT_QUEUE = f"portal-test-{_RUN}"
CELERY_TASK_ALWAYS_EAGER = False
CACHES["default"]["KEY_PREFIX"] = f"portal-test-{_RUN}"  # noqa: F405

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "locmem"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Private files in the database, as a deployment keeps them (the folder store has its own tests,
# which switch settings.PRIVATE_STORAGE); each run its own folder for those.
PRIVATE_STORAGE = "database"
# browser tests run on http: cookies without the __Host- prefix (it requires Secure)
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
DEVICE_COOKIE_NAME = "portal_device"
LANGUAGE_COOKIE_SECURE = False
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix=f"portal-private-{_RUN}-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "core.storage.PrivateStorage"},
}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DEBUG = False
# Static files are served from the finders in tests; no collectstatic run is needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
