"""gunicorn's settings wherever it runs (Dockerfile, docker-compose.yml, `make load`).

`gunicorn -c python:portal.gunicorn_conf portal.wsgi:application --bind ...`

An invitation link's token is a password. gunicorn's access and error logs are its own loggers,
which Django's LOGGING never configures: the token is cut out of them here, with the filter the
Django loggers use. The access line keeps no Referer (the acceptance page's POST carries the link
as its Referer) and no query string (%(U)s is the path alone).
"""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%(a)s"'
# gunicorn's control socket is not used: no file to write beside the code, no attack surface
control_socket_disable = True

# no "level": gunicorn's --log-level stays in charge
_REDACTED = {"filters": ["redact_tokens"], "propagate": False}

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "portal.logging.RedactInvitationTokens"}},
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        # "Error handling request /invitation/<token>/" goes to the error log
        "gunicorn.error": {"handlers": ["error_console"], **_REDACTED},
        "gunicorn.access": {"handlers": ["access_console"], **_REDACTED},
    },
}
