"""Where the seal comes from: the environment in production (or nothing starts), a development CA
under DEBUG."""

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.checks import pdf_seal_configured
from core.seal import seal_paths

ROOT = Path(__file__).resolve().parents[2]


def test_production_without_a_seal_refuses_to_start():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PDF_SEAL_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        # real mail and SMS backends, so that the seal is the one thing missing
        EMAIL_URL="smtp://127.0.0.1:25",
        SMS_BACKEND="twilio",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "core.E001" in result.stderr
    assert "PDF_SEAL_PKCS12" in result.stderr


def test_a_seal_file_that_is_not_there_is_a_check_error(settings, tmp_path):
    settings.DEBUG = False
    settings.PDF_SEAL_PKCS12 = str(tmp_path / "absent.p12")

    [error] = pdf_seal_configured()

    assert error.id == "core.E002"


def test_the_development_seal_is_made_under_debug_and_said_so(settings, tmp_path):
    settings.DEBUG = True
    settings.PDF_SEAL_PKCS12 = ""
    settings.PDF_SEAL_DEVELOPMENT_DIR = tmp_path / "seal"
    out = io.StringIO()

    call_command("seal_development", stdout=out)
    call_command("seal_development", stdout=out)

    assert "Development PDF seal created" in out.getvalue()
    assert "Development PDF seal kept" in out.getvalue()
    assert (tmp_path / "seal" / "ca.pem").is_file()
    assert seal_paths()[0] == tmp_path / "seal" / "seal.p12"
    assert pdf_seal_configured() == []


def test_the_development_seal_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.PDF_SEAL_PKCS12 = ""

    with pytest.raises(CommandError):
        call_command("seal_development")
