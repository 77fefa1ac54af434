"""The README's `pyhanko sign validate` command, run as written on a sealed authorisation PDF:
pyHanko's own command line (not this project's code) finds the bank's seal intact and trusted."""

import shlex
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from otp.services import authorisation_sealed_bytes
from tests.otp.authorisations import signed_authorisation
from tests.tooling.commands import ROOT, VENV

pytestmark = pytest.mark.django_db

README_CA = "var/seal/ca.pem"
README_FILE = "autorisation.pdf"


def readme_command() -> list[str]:
    """The README's command line, as a person copies it."""
    [line] = [
        line
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith(".venv/bin/pyhanko sign validate")
    ]
    return shlex.split(line)


def run_readme_command(pdf: Path) -> subprocess.CompletedProcess[str]:
    """The command with the suite's CA for `var/seal/ca.pem` and the file for `autorisation.pdf`."""
    replacements = {
        ".venv/bin/pyhanko": str(VENV / "bin" / "pyhanko"),
        README_CA: str(settings.PDF_SEAL_TRUST_ROOTS[0]),
        README_FILE: str(pdf),
    }
    command = [replacements.get(word, word) for word in readme_command()]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
    )


@pytest.fixture
def sealed_pdf(admin, tmp_path) -> Path:
    pdf = tmp_path / README_FILE
    pdf.write_bytes(authorisation_sealed_bytes(authorisation=signed_authorisation(admin)))
    return pdf


def test_the_readme_names_the_development_ca_and_a_downloaded_file():
    command = readme_command()

    assert command[:4] == [".venv/bin/pyhanko", "sign", "validate", "--pretty-print"]
    assert README_CA in command
    assert command[-1] == README_FILE


def test_the_readme_command_judges_a_sealed_authorisation_valid(sealed_pdf):
    result = run_readme_command(sealed_pdf)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Field 1: CachetBanque" in result.stdout
    assert "The signer's certificate is trusted." in result.stdout
    assert "The signature is cryptographically sound." in result.stdout
    assert "The signature covers the entire file." in result.stdout
    assert "The signature is judged VALID." in result.stdout


def test_the_readme_command_finds_one_changed_byte(sealed_pdf):
    content = bytearray(sealed_pdf.read_bytes())
    content[content.index(b"stream") + 20] ^= 0x01
    sealed_pdf.write_bytes(bytes(content))

    result = run_readme_command(sealed_pdf)

    assert result.returncode == 1
    assert "The signature is cryptographically unsound." in result.stdout
    assert "The signature is judged INVALID." in result.stdout
