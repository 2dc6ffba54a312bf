"""What the packaging tests share: the collection's root, the venv's tools, and a copy to build from."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _not_source(directory: str, names: list) -> set:
    """What is no part of the source a user builds from: git, virtualenvs, test output, caches."""
    skipped = {name for name in names if name in ("__pycache__", ".pytest_cache")}
    if Path(directory) == ROOT:
        skipped |= {name for name in names if name == ".git" or name.startswith(".venv")}
    if Path(directory) == ROOT / "tests":
        skipped |= {"output"} & set(names)
    return skipped


def tool(name: str) -> str:
    """A command of the virtualenv running these tests (ansible-galaxy, ansible-builder, antsibull-*)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail("%s is not installed next to %s: run make venv (tests/requirements.txt)" % (name, sys.executable))
    return str(path)


def run(*command: str, cwd: Path | None = None, env: dict | None = None) -> str:
    """Run a command; on failure, fail the test with its output."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        pytest.fail("%s exited %d:\n%s\n%s" % (" ".join(command), done.returncode, done.stdout[-3000:], done.stderr[-3000:]))
    return done.stdout


def copy_collection(parent: Path) -> Path:
    """The collection copied to parent/ansible_collections/hashops/whatsminer, where Ansible's tools find it."""
    target = parent / "ansible_collections" / "hashops" / "whatsminer"
    shutil.copytree(ROOT, target, ignore=_not_source, symlinks=True)
    return target


@pytest.fixture(scope="session")
def collection_copy(tmp_path_factory) -> Path:
    return copy_collection(tmp_path_factory.mktemp("src"))
