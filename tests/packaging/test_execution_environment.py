"""Execution environments: ansible-builder reads the collection's Python packages from
meta/execution-environment.yml, and accepts an EE definition with the collection, producing its build
context (no container engine is needed for either)."""

from __future__ import annotations

import shutil

import yaml

from conftest import ROOT, run, tool


def _requirements() -> list:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def test_the_collection_metadata_has_only_the_dependencies_and_the_schema_version():
    meta = yaml.safe_load((ROOT / "meta" / "execution-environment.yml").read_text(encoding="utf-8"))
    assert meta == {"version": 3, "dependencies": {"python": "requirements.txt"}}


def test_ansible_builder_finds_the_collections_python_packages(collection_copy):
    found = yaml.safe_load(run(tool("ansible-builder"), "introspect", str(collection_copy.parents[2])))
    assert found["python"] == ["%s  # from collection hashops.whatsminer" % r for r in _requirements()]
    assert found["system"] == []


def test_ansible_builder_creates_the_build_context(tmp_path):
    definition = tmp_path / "execution-environment.yml"
    shutil.copy(ROOT / "tests" / "packaging" / "execution-environment.yml", definition)
    run(tool("ansible-builder"), "create", "-f", str(definition), "-c", str(tmp_path / "context"), "--output-filename", "Containerfile")
    containerfile = (tmp_path / "context" / "Containerfile").read_text(encoding="utf-8")
    assert 'ARG EE_BASE_IMAGE="quay.io/fedora/fedora:42"' in containerfile and "FROM $EE_BASE_IMAGE" in containerfile
    assert "ansible-galaxy collection install" in containerfile and "introspect" in containerfile
    galaxy = yaml.safe_load((tmp_path / "context" / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    assert galaxy["collections"] == [{"name": "hashops.whatsminer"}]
