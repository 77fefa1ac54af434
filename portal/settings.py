"""Settings read from the environment.

DEBUG is off unless DJANGO_DEBUG=true: a deployment that forgets a variable gets production
behaviour (and, without DJANGO_SECRET_KEY, refuses to start), never a debug page. With only
DJANGO_DEBUG=true (what `make run` sets) this is the embedded development default: SQLite, Celery
tasks run in-process, SMS and emails kept in files and shown at /dev/outbox.
"""

from email.headerregistry import Address
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core.seal_material import DEVELOPMENT_PASSPHRASE as DEVELOPMENT_SEAL_PASSPHRASE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
_DEV_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    # the development key is public: codes derived from it could be computed by anyone
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies in front of the app append to TRUSTED_PROXY_HEADER (0: trust none,
# the address is the connection's). The client's address is the Nth from the right of that
# header: the login throttle, the invitation link's limit and the audit trail read it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_HEADER = env.str("TRUSTED_PROXY_HEADER", default="X-Forwarded-For")
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "phonenumber_field",
    "csp",
    "core",
    "portal",
    "companies",
    "accounts",
    "audit",
    "teams",
    "permissions",
    "otp",
    "invitations",
    "client_requests",
    "documents",
    "treasury",
    "reviews",
    "backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, without its 400 when a concurrent request of the browser replaced the session
    "accounts.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AbsoluteSessionLifetimeMiddleware",
    "accounts.middleware.SecondStepMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.FormerMemberMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:company_picker"
LOGOUT_REDIRECT_URL = "accounts:login"
# Argon2id first; the PBKDF2 hashes made before it still check, and are redone with Argon2id at
# the person's next login.
PASSWORD_HASHERS = [
    "accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
# French is the default (no preference, or one the portal does not speak); English is chosen in the
# page footer (django.views.i18n.set_language) or sent by the browser. Catalogue: locale/en/.
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# Sessions: idle timeout 30 minutes (renewed on each request), absolute 12 hours in the session.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# same-origin, not no-referrer: a POST without Referer/Origin from the acceptance page would be
# refused by CSRF (browsers send "Origin: null"), and the token in its URL never leaves the site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: everything comes from static/. frame-src 'self' only for
# the development outbox, which previews an email's HTML in a sandboxed frame of its own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Redis: the broker and the shared cache. Without REDIS_URL (make run) tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
# A worker that dies recovers within a minute; these numbers are chosen together (README: Deployment).
# - A task is acknowledged once it ran (acks late), and one whose pool process died is put back in
#   the queue at once (reject on worker lost); a worker holds no more tasks than it runs (prefetch 1).
# - A whole worker killed cannot put back what it held: Redis hands those messages out again after
#   the visibility timeout. It stays an hour, above the longest retry countdown
#   (TASK_RETRY_MAX_SECONDS, 30 min): a countdown waits unacknowledged in its worker, and a timeout
#   under it would hand the task out again and again while it waits.
# - So the outbox itself recovers a killed delivery: its row stays "sending"; a delivery is killed
#   by its hard time limit (MESSAGE_TIME_LIMIT, 25 s) at the latest, so a row "sending" for
#   MESSAGE_STALL_SECONDS (30 s) has no live worker; beat's sweep, every MESSAGE_SWEEP_SECONDS
#   (10 s), queues it again. Killed at t, the email is queued again by t + 40 s, sent by ~t + 45 s.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="portal")
# A message a lost worker did not acknowledge is delivered again after the visibility timeout;
# workers look for such messages every interval × throttle seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    # a Redis that stops answering but keeps the connection open must not hang a request that
    # queues a task (the outbox leaves it to the sweep): its commands give up after this long
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
    "socket_connect_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
}
# A publish that fails is not tried again: a person may be waiting, redis-py already reconnects a
# connection Redis closed, and a message that could not be queued is queued by the sweep.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            # a Redis that hangs must not hang the request: the caller decides what to do
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Mail. In development every email is kept in OUTBOX_DIR and shown at /dev/outbox.
OUTBOX_DIR = Path(env.str("OUTBOX_DIR", default=str(BASE_DIR / "var" / "outbox")))
EMAIL_URL = env.str("EMAIL_URL", default="")
# a mail server that stops answering must not hold a delivery for ever (MESSAGE_SOFT_TIME_LIMIT)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "core.dev_outbox.OutboxEmailBackend"
# Who writes: the bank's name is in every email's From, layout, signature and security subjects.
BANK_NAME = env.str("BANK_NAME", default="Banque Exemple")
EMAIL_FROM_ADDRESS = env.str("EMAIL_FROM_ADDRESS", default="no-reply@mes-equipes.example")
# empty (as docker-compose passes an unset variable) means: built from the two above
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="") or str(
    Address(display_name=f"{BANK_NAME} · Mes équipes", addr_spec=EMAIL_FROM_ADDRESS)
)
# replies to a no-reply sender reach the bank's support (empty: no Reply-To)
EMAIL_REPLY_TO = env.str("EMAIL_REPLY_TO", default="support@mes-equipes.example")
# Message-IDs name the portal's domain, not the host that happened to send (often "localhost")
EMAIL_MESSAGE_ID_DOMAIN = (
    env.str("EMAIL_MESSAGE_ID_DOMAIN", default="")
    or urlsplit(PORTAL_BASE_URL).hostname
    or "localhost"
)

# SMS: "console" keeps messages in OUTBOX_DIR (development), "twilio" sends them.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
# With DEBUG off, a forgotten EMAIL_URL or SMS_BACKEND would quietly keep the codes and the
# invitation links in files on the server: the settings refuse to load instead. Only a throwaway
# run on production settings (the test suite, `make load`) may allow it, and says so.
if (
    not DEBUG
    and (not EMAIL_URL or SMS_BACKEND == "console")
    and not env.bool("DJANGO_ALLOW_DEVELOPMENT_OUTBOX", default=False)
):
    raise ImproperlyConfigured(
        "With DJANGO_DEBUG=false, set EMAIL_URL and SMS_BACKEND=twilio: emails and SMS must not "
        "fall back to the development outbox."
    )
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")  # only for a local fake server
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", default=10.0)

PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DB_FORMAT = "E164"

# The numbers the product keeps (see DESIGN.md); each one a setting.
OTP_CODE_DIGITS = 6
OTP_CODE_LIFETIME_SECONDS = min(env.int("OTP_CODE_LIFETIME_SECONDS", default=5 * 60), 10 * 60)
OTP_MAX_WRONG_CODES = env.int("OTP_MAX_WRONG_CODES", default=5)
OTP_RESEND_COOLDOWN_SECONDS = env.int("OTP_RESEND_COOLDOWN_SECONDS", default=30)
OTP_MAX_SENDS = env.int("OTP_MAX_SENDS", default=3)
INVITATION_LIFETIME_DAYS = env.int("INVITATION_LIFETIME_DAYS", default=7)
# one reminder with a fresh link this many days before a link expires
INVITATION_REMINDER_DAYS_BEFORE_EXPIRY = env.int(
    "INVITATION_REMINDER_DAYS_BEFORE_EXPIRY", default=2
)
# A task talking to the outside world (SMTP, Twilio) retries after this long, each next retry
# twice as long, never more than the cap: a countdown stays under the broker's visibility timeout.
TASK_RETRY_SECONDS = env.int("TASK_RETRY_SECONDS", default=30)
TASK_RETRY_MAX_SECONDS = 1800
# The outbox (core.outbox): one retry policy for every email and SMS. Six attempts with the backoff
# above span about 15 minutes: a mail server's restart or a short outage; after that the message has
# failed for good, the invitation shows "Échec d'envoi" and the administrator (or support) resends.
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=6)
# One delivery talks to one server: the soft limit is above EMAIL_TIMEOUT and Twilio's timeout, the
# hard limit (enforced by the prefork pool, the default) kills a delivery that ignores it. Both far
# under the broker's visibility timeout, and under MESSAGE_STALL_SECONDS: a message is never
# delivered again while its first run still sends.
MESSAGE_SOFT_TIME_LIMIT = 20
MESSAGE_TIME_LIMIT = 25
# A message still pending this long past its planned try (its task was never published, or lost),
# or in "sending" this long (its worker died: longer than MESSAGE_TIME_LIMIT, so a live delivery is
# over by then), is queued again by the sweep, which beat runs every MESSAGE_SWEEP_SECONDS: a
# message whose worker died is sent again within this plus the sweep's interval (40 s) plus one
# delivery. A message merely waiting longer than this in a busy queue gets a second task, which
# finds it sent and does nothing (the claim is locked and checks the state).
MESSAGE_STALL_SECONDS = env.int("MESSAGE_STALL_SECONDS", default=30)
MESSAGE_SWEEP_SECONDS = env.int("MESSAGE_SWEEP_SECONDS", default=10)
# a sweep stays a short transaction even after a long outage: the next one takes the rest
MESSAGE_SWEEP_BATCH = 500
SIGNING_RECENT_LOGIN_SECONDS = env.int("SIGNING_RECENT_LOGIN_SECONDS", default=15 * 60)
# Limits shared by every process (counted in Redis), and the signing lock (kept in PostgreSQL).
SMS_PER_ADMIN_PER_10_MINUTES = env.int("SMS_PER_ADMIN_PER_10_MINUTES", default=5)
SMS_PER_ADMIN_PER_DAY = env.int("SMS_PER_ADMIN_PER_DAY", default=20)
SIGNING_MAX_WRONG_CODES_IN_A_ROW = env.int("SIGNING_MAX_WRONG_CODES_IN_A_ROW", default=20)
# Login: two factors; 20 wrong second factors in a row lock login until support unlocks it.
LOGIN_MAX_FAILED_SECOND_FACTORS = env.int("LOGIN_MAX_FAILED_SECOND_FACTORS", default=20)
# the second step must follow the password within this time, or the password is asked again
LOGIN_SECOND_STEP_SECONDS = env.int("LOGIN_SECOND_STEP_SECONDS", default=10 * 60)
# Mon compte's list of sessions: each one's last activity written at most this often
SESSION_ACTIVITY_WRITE_SECONDS = 60
DEVICE_COOKIE_AGE_SECONDS = 400 * 24 * 3600
# Passkeys (WebAuthn). The relying party is the site's domain, never an IP address (browsers refuse
# one): by default the host of PORTAL_BASE_URL, "localhost" for a loopback address; the origin is
# the site's scheme://host[:port] as the browser shows it.
_PORTAL_URL = urlsplit(PORTAL_BASE_URL)
_PORTAL_HOST = _PORTAL_URL.hostname or "localhost"
if _PORTAL_HOST in ("127.0.0.1", "::1"):
    _PORTAL_HOST = "localhost"
WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default=_PORTAL_HOST)
WEBAUTHN_ORIGIN = env.str(
    "WEBAUTHN_ORIGIN",
    default=f"{_PORTAL_URL.scheme or 'http'}://{_PORTAL_HOST}"
    + (f":{_PORTAL_URL.port}" if _PORTAL_URL.port else ""),
)
WEBAUTHN_RP_NAME = env.str("WEBAUTHN_RP_NAME", default=f"{BANK_NAME} · Mes équipes")
# a passkey challenge (to sign, to log in, to add or remove a passkey) lives this long, used once
PASSKEY_CHALLENGE_SECONDS = env.int("PASSKEY_CHALLENGE_SECONDS", default=5 * 60)
# unknown invitation links from one address before it waits (the login's growing delay)
INVITATION_LINK_FAILURES_BEFORE_DELAY = env.int("INVITATION_LINK_FAILURES_BEFORE_DELAY", default=10)
LOGIN_FAILURES_BEFORE_DELAY = env.int("LOGIN_FAILURES_BEFORE_DELAY", default=5)
# one address may be a whole office behind a proxy: it gets more tries than one account
LOGIN_IP_FAILURES_BEFORE_DELAY = env.int("LOGIN_IP_FAILURES_BEFORE_DELAY", default=20)
LOGIN_FAILURE_QUIET_SECONDS = env.int("LOGIN_FAILURE_QUIET_SECONDS", default=15 * 60)
LOGIN_FIRST_DELAY_SECONDS = env.int("LOGIN_FIRST_DELAY_SECONDS", default=60)
LOGIN_MAX_DELAY_SECONDS = env.int("LOGIN_MAX_DELAY_SECONDS", default=30 * 60)
INVITATIONS_PER_COMPANY_PER_DAY = env.int("INVITATIONS_PER_COMPANY_PER_DAY", default=200)
# a resend is an email too: it counts against the ceiling above, and one link is resent this often
INVITATION_RESENDS_PER_DAY = env.int("INVITATION_RESENDS_PER_DAY", default=5)
PASSWORD_RESETS_PER_EMAIL_PER_HOUR = env.int("PASSWORD_RESETS_PER_EMAIL_PER_HOUR", default=3)
PASSWORD_RESETS_PER_IP_PER_HOUR = env.int("PASSWORD_RESETS_PER_IP_PER_HOUR", default=20)
SUPPORT_CONTACT = env.str(
    "SUPPORT_CONTACT",
    default="le support de la banque, par téléphone ou auprès de votre conseiller",
)
DUPLICATE_FEE_EUROS = 50

# Contract documents and the files members attach to requests: no public URL, ever; served only
# by views that check the reader's rights. PRIVATE_STORAGE says where they are kept (core.storage):
# "filesystem", under PRIVATE_MEDIA_ROOT (one machine: `make run`), or "database", in PostgreSQL,
# which every web node of a deployment reaches (a file saved through one node is served by all).
PRIVATE_STORAGE = env.str("PRIVATE_STORAGE", default="filesystem")
if PRIVATE_STORAGE not in ("filesystem", "database"):
    raise ImproperlyConfigured("PRIVATE_STORAGE must be filesystem or database.")
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# a scanned proof of power needs far less; more is a decompression bomb's way to eat memory
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=50_000_000)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "core.storage.PrivateStorage"},
}

# The bank's seal on every access authorisation PDF (PAdES, core/seal.py): a PKCS#12 file holding
# the seal's key and certificate (with its CA chain) and its passphrase. Production must set them
# (a system check refuses `migrate`, `runserver` and `check` otherwise). With DEBUG on and no file
# given, a development CA and seal are created under PDF_SEAL_DEVELOPMENT_DIR on first use
# (`make run` does it first and says so). PDF_SEAL_TRUST_ROOTS: the CA certificates (PEM) that
# `manage.py verify_pdf` trusts, comma-separated; by default the development CA under DEBUG.
PDF_SEAL_PKCS12 = env.str("PDF_SEAL_PKCS12", default="")
PDF_SEAL_PASSPHRASE = env.str(
    "PDF_SEAL_PASSPHRASE", default="" if PDF_SEAL_PKCS12 else DEVELOPMENT_SEAL_PASSPHRASE
)
PDF_SEAL_TRUST_ROOTS = env.list("PDF_SEAL_TRUST_ROOTS", default=[])
PDF_SEAL_DEVELOPMENT_DIR = Path(
    env.str("PDF_SEAL_DEVELOPMENT_DIR", default=str(BASE_DIR / "var" / "seal"))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_tokens": {"()": "portal.logging.RedactInvitationTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # the loggers that write request paths: a link's token is cut out before any handler
    "loggers": {
        name: {"filters": ["redact_tokens"]}
        for name in ("django.request", "django.server", "django.security.csrf")
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

# Cookies named __Host-: the browser keeps them only if Secure, for the whole site and this host
# alone, so no subdomain can plant a session or a CSRF token. The prefix needs https: under
# `make run` (http) the plain names stay.
_COOKIE_PREFIX = "__Host-" if vars().get("SESSION_COOKIE_SECURE") else ""
SESSION_COOKIE_NAME = f"{_COOKIE_PREFIX}sessionid"
CSRF_COOKIE_NAME = f"{_COOKIE_PREFIX}csrftoken"
# one random value per browser, to tell a login from a browser never seen (an email)
DEVICE_COOKIE_NAME = f"{_COOKIE_PREFIX}portal_device"
LANGUAGE_COOKIE_SECURE = bool(vars().get("SESSION_COOKIE_SECURE"))
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

CELERY_BEAT_SCHEDULE = {
    "messages-sweep": {
        "task": "core.tasks.messages_sweep",
        "schedule": float(MESSAGE_SWEEP_SECONDS),
    },
    "invitations-expire": {
        "task": "invitations.tasks.invitations_expire",
        "schedule": 3600.0,
    },
    # each runs once per invitation whatever the number of runs (see invitations.services.reminders)
    "invitation-reminders-send": {
        "task": "invitations.tasks.invitation_reminders_send",
        "schedule": 3600.0,
    },
    "invitation-expiry-notices-send": {
        "task": "invitations.tasks.invitation_expiry_notices_send",
        "schedule": 3600.0,
    },
    # the task works out "today" in Paris time; once a day is what subscribers were promised
    "low-balance-alerts-check": {
        "task": "treasury.tasks.low_balance_alerts_check",
        "schedule": crontab(hour=6, minute=30),
    },
    # rights past their last day (Paris) are closed just after midnight; the checks on every
    # request already ignore them, this makes the rows, authorisations and emails follow
    "grants-expire": {
        "task": "teams.tasks.grants_expire",
        "schedule": crontab(hour=0, minute=15),
    },
    # once per right and end date (see teams.services.end_dates)
    "grant-end-notices-send": {
        "task": "teams.tasks.grant_end_notices_send",
        "schedule": crontab(hour=8, minute=0),
    },
    # the periodic access review: opened when due, then a weekly reminder while overdue; each
    # idempotent (see reviews.services.schedule)
    "access-reviews-open": {
        "task": "reviews.tasks.access_reviews_open",
        "schedule": crontab(hour=7, minute=0),
    },
    "access-review-reminders-send": {
        "task": "reviews.tasks.access_review_reminders_send",
        "schedule": crontab(hour=7, minute=15),
    },
    # the audit chain's head in the logs every day: an edit made after that day shows
    "audit-chain-head-log": {
        "task": "audit.tasks.audit_chain_head_log",
        "schedule": crontab(hour=0, minute=5),
    },
}
