"""`make load`: production settings, served over plain HTTP on loopback.

There is no TLS on loopback, so cookies cannot be Secure (a client would never send them back), and
static files come from the finders (no collectstatic run). Everything else is production.
"""

from portal.settings import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
