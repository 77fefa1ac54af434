"""The number of examples is the profile's (tests/conftest.py): "ci" under `make test`, "fuzz"
under `make fuzz`. A test that fixed its own would stay shallow under `make fuzz`."""

import re

from hypothesis import settings

from tests.security.test_fuzz import FUZZ
from tests.tooling.commands import ROOT


def test_no_test_fixes_its_own_number_of_examples():
    fixing = [
        path.relative_to(ROOT)
        for path in (ROOT / "tests").rglob("*.py")
        if path.name != "conftest.py" and re.search(r"max_examples\s*=\s*\d", path.read_text())
    ]

    assert fixing == []


def test_the_fuzz_settings_follow_the_loaded_profile():
    assert FUZZ.max_examples == settings.default.max_examples


def test_make_fuzz_goes_far_deeper_than_make_test():
    assert settings.get_profile("fuzz").max_examples >= 20 * settings.get_profile("ci").max_examples
