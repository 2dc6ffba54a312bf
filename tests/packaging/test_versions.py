"""requires_ansible states what make test tests: from the oldest ansible-core (tests/requirements-oldest.txt)
up to the newest (tests/requirements.txt), and the venv running these tests has the newest."""

from __future__ import annotations

from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from ansible.release import __version__ as ansible_core_version
from conftest import ROOT


def _core_pin(requirements: Path) -> SpecifierSet:
    for line in requirements.read_text(encoding="utf-8").splitlines():
        if line.startswith("ansible-core"):
            return SpecifierSet(line[len("ansible-core"):].split("#")[0].strip())
    raise AssertionError("%s pins no ansible-core" % requirements)


def _bound(spec: SpecifierSet, operator: str) -> Version:
    (found,) = [Version(s.version) for s in spec if s.operator == operator]
    return found


def test_requires_ansible_spans_exactly_the_tested_versions():
    required = SpecifierSet(yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))["requires_ansible"])
    oldest = _core_pin(ROOT / "tests" / "requirements-oldest.txt")
    newest = _core_pin(ROOT / "tests" / "requirements.txt")
    assert _bound(required, ">=") == _bound(oldest, ">=")
    assert _bound(required, "<") == _bound(newest, "<")
    assert len(list(required)) == 2


def test_this_venv_has_the_newest_tested_ansible_core():
    assert Version(ansible_core_version) in _core_pin(ROOT / "tests" / "requirements.txt")
