"""Production settings (DJANGO_DEBUG=false) pass Django's deployment checklist with no warning."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="false",
        EMAIL_URL="smtp+tls://portal:secret@smtp.example.com:587",
        SMS_BACKEND="twilio",
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks_with_no_warning():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=secrets.token_urlsafe(64)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_with_the_development_secret_key():
    result = _manage("check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_when_email_would_stay_in_the_development_outbox():
    result = _manage("check", DJANGO_SECRET_KEY=secrets.token_urlsafe(64), EMAIL_URL="")

    assert result.returncode != 0
    assert "must not fall back to the development outbox" in result.stderr


def test_production_refuses_to_start_when_sms_would_stay_in_the_development_outbox():
    result = _manage("check", DJANGO_SECRET_KEY=secrets.token_urlsafe(64), SMS_BACKEND="console")

    assert result.returncode != 0
    assert "must not fall back to the development outbox" in result.stderr


def test_production_cookies_carry_the_host_prefix():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_COOKIE_NAME, "
        "settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_SECURE, "
        "settings.LANGUAGE_COOKIE_HTTPONLY)",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-4:] == ["__Host-sessionid", "__Host-csrftoken", "True", "True"]


DESIGN_NUMBERS = {
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "X_FRAME_OPTIONS": "DENY",
    "SECURE_REFERRER_POLICY": "same-origin",
    "SESSION_COOKIE_AGE": 30 * 60,
    "SESSION_SAVE_EVERY_REQUEST": True,
    "SESSION_ABSOLUTE_SECONDS": 12 * 3600,
    "SIGNING_RECENT_LOGIN_SECONDS": 15 * 60,
}


def test_production_settings_hold_the_numbers_of_the_design():
    names = ", ".join(f"{name!r}: settings.{name}" for name in DESIGN_NUMBERS)
    result = _manage(
        "shell",
        "-c",
        f"import json; from django.conf import settings; print(json.dumps({{{names}}}))",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == DESIGN_NUMBERS


def test_debug_is_off_when_the_environment_does_not_ask_for_it():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_"))
    }
    environment.update(DJANGO_SETTINGS_MODULE="portal.settings")

    without_key = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    with_key = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env={
            **environment,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "EMAIL_URL": "smtp://127.0.0.1:2525",
            "SMS_BACKEND": "twilio",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert without_key.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in without_key.stderr
    assert with_key.stdout.strip().splitlines()[-1] == "False", with_key.stderr
