"""`make load`: production settings, served over plain HTTP on loopback.

There is no TLS on loopback, so cookies cannot be Secure (a client would never send them back), and
static files come from the finders (no collectstatic run). Everything else is production, storages
included: only the static files' backend changes, the others (private files among them) stay.
The URLs add one view that makes one query (scripts/load_urls.py), the run's yardstick.
"""

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# the __Host- prefix needs Secure cookies
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
DEVICE_COOKIE_NAME = "portal_device"
LANGUAGE_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# the product's URLs and the one-query view the run's page latencies are compared to
ROOT_URLCONF = "load_urls"
