"""uv.lock holds every dependency with its hashes, and the one uv version is the one everything
installs: make (`make venv`), .ci/run (through it) and the Dockerfile."""

import re
import subprocess
import tomllib

from tests.tooling.commands import ROOT, make_command, make_env

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())
LOCKED = {package["name"]: package for package in LOCK["package"]}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    """pyproject.toml's direct dependencies, dev extra included: name -> pinned version."""
    requirements = [
        *PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"]["dev"],
    ]
    found = {}
    for requirement in requirements:
        match = re.fullmatch(r"([\w.-]+)(\[[\w,-]+\])?==([\w.]+)", requirement)
        assert match, f"not pinned with ==: {requirement}"
        found[normalized(match.group(1))] = match.group(3)
    return found


def test_every_direct_dependency_is_pinned_and_locked_at_that_version():
    for name, version in pins().items():
        assert LOCKED[name]["version"] == version, name


def test_every_locked_package_comes_from_the_registry_with_hashes():
    for name, package in LOCKED.items():
        if package["source"] == {"virtual": "."}:
            continue  # the project itself: never built nor installed ([tool.uv] package = false)
        assert package["source"] == {"registry": "https://pypi.org/simple"}, name
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        assert files, name
        assert all(file["hash"].startswith("sha256:") for file in files), name


def test_import_linter_and_grimp_are_locked():
    assert "import-linter" in pins()
    assert "grimp" in LOCKED


def test_one_uv_version_everywhere():
    version = pins()["uv"]

    assert PYPROJECT["tool"]["uv"]["required-version"] == f"=={version}"
    assert LOCKED["uv"]["version"] == version
    # make and the Dockerfile read it from required-version: what they would install
    makefile = subprocess.run(
        [*make_command("-s", "--eval", "uv-version: ; @echo $(UV_VERSION)", "uv-version")],
        cwd=ROOT,
        env=make_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert makefile.stdout.strip() == version
    docker = re.search(r'pip install "uv==\$\((.*)\)"', (ROOT / "Dockerfile").read_text())
    assert docker
    in_docker = subprocess.run(
        ["/bin/sh", "-c", docker.group(1)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert in_docker.stdout.strip() == version


def test_make_ci_and_the_dockerfile_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()

    assert re.search(r"^\$\(STAMP\): pyproject\.toml uv\.lock$", makefile, re.M)
    assert "uv sync --locked --extra dev" in makefile
    assert "COPY pyproject.toml uv.lock ./" in dockerfile
    assert "uv sync --locked" in dockerfile
    venv, test = (re.search(rf"^make {target}$", ci, re.M) for target in ("venv", "test"))
    assert venv and test and venv.start() < test.start()
