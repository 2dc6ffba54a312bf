"""The changelog: its fragments and history lint, and the release notes antsibull-changelog makes for the
version in galaxy.yml (with every fragment added since) list each module and plugin once, in one release,
and every release has a summary."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run, tool

GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))


def _ansible_env(collection: Path) -> dict:
    """antsibull-changelog asks ansible-doc for the plugins: this venv's, with the copy as the collection."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collection.parents[2]))
    env["PATH"] = str(Path(tool("ansible-doc")).parent) + os.pathsep + env.get("PATH", "")
    return env


@pytest.fixture(scope="module")
def released(collection_copy) -> Path:
    """The copy after the release of galaxy.yml's version (regenerated if that version is already released)."""
    history = yaml.safe_load((collection_copy / "changelogs" / "changelog.yaml").read_text(encoding="utf-8"))
    env = _ansible_env(collection_copy)
    if GALAXY["version"] in (history.get("releases") or {}):
        run(tool("antsibull-changelog"), "generate", cwd=collection_copy, env=env)
    else:
        run(tool("antsibull-changelog"), "release", "--version", GALAXY["version"],
            "--date", datetime.date.today().isoformat(), cwd=collection_copy, env=env)
    return collection_copy


def test_fragments_and_history_lint(collection_copy):
    assert run(tool("antsibull-changelog"), "lint", cwd=collection_copy).strip() == ""
    assert run(tool("antsibull-changelog"), "lint-changelog-yaml", "changelogs/changelog.yaml", cwd=collection_copy).strip() == ""


def test_the_shipped_notes_are_what_the_history_generates(collection_copy, tmp_path):
    shipped = (ROOT / "CHANGELOG.rst").read_text(encoding="utf-8")
    run(tool("antsibull-changelog"), "generate", "--output", str(tmp_path / "CHANGELOG.rst"), cwd=collection_copy,
        env=_ansible_env(collection_copy))
    assert (tmp_path / "CHANGELOG.rst").read_text(encoding="utf-8") == shipped, "run antsibull-changelog generate"


def test_the_next_release_lints_and_every_release_has_a_summary(released):
    run(tool("antsibull-changelog"), "lint-changelog-yaml", "changelogs/changelog.yaml", cwd=released)
    history = yaml.safe_load((released / "changelogs" / "changelog.yaml").read_text(encoding="utf-8"))
    assert GALAXY["version"] in history["releases"]
    unsummarised = [v for v, r in history["releases"].items() if not r.get("changes", {}).get("release_summary")]
    assert not unsummarised, "releases without a release_summary fragment: %s" % unsummarised


def _documented(kind: str) -> list:
    """Names of the plugins of a kind that have docs (a .py with DOCUMENTATION or a filter's .yml)."""
    folder = ROOT / "plugins" / kind
    names = {p.stem for p in folder.glob("*.yml")}
    names |= {p.stem for p in folder.glob("*.py") if "DOCUMENTATION" in p.read_text(encoding="utf-8")}
    return sorted(n for n in names if not n.startswith("_"))


@pytest.mark.parametrize("kind", ["modules", "inventory", "filter"])
def test_each_module_and_plugin_is_listed_once(released, kind):
    notes = (released / "CHANGELOG.rst").read_text(encoding="utf-8")
    for name in _documented(kind):
        listed = re.findall(r"^- hashops\.whatsminer\.%s - " % re.escape(name), notes, flags=re.MULTILINE)
        assert len(listed) == 1, "%s %s is listed %d times in the release notes (its version_added?)" % (kind, name, len(listed))


def test_no_fragment_announces_what_antsibull_changelog_lists_itself(released):
    notes = (released / "CHANGELOG.rst").read_text(encoding="utf-8")
    announced = re.findall(r"^- New (?:modules?|plugins?|filters?|inventory plugins?|actions?) ``[^`]+``", notes, flags=re.MULTILINE)
    assert not announced, "fragments announce new plugins, listed under New Modules/New Plugins anyway: %s" % announced
