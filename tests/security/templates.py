"""Finds inline script, style and event handlers in the page templates (emails excluded)."""

import re
from pathlib import Path

from django.conf import settings

INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=|javascript:|\shx-on", re.I
)


def _template_dirs() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return [root / "templates", *sorted(root.glob("*/templates"))]


def page_templates_with_inline_code() -> list[str]:
    found = []
    for directory in _template_dirs():
        for path in sorted(directory.rglob("*.html")):
            relative = path.relative_to(directory)
            # emails are read in mail clients, which need inline styles and never see our CSP
            if "email" in relative.parts or relative.name.endswith("_email.html"):
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if INLINE_CODE.search(line):
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}")
    return found
