"""The tarball users install: built by ansible-galaxy from a work tree holding every kind of developer
leftover, it carries the licence, the collection and the simulator, and none of the leftovers."""

from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, copy_collection, run, tool

sys.path.insert(0, str(ROOT / "tests" / "unit" / "simulator"))

from simclient import read, start_farm  # noqa: E402  pylint: disable=wrong-import-position

KEY_MARK = "PRIVATE" + " KEY-----"  # split, so that this file does not carry the mark it looks for
FAKE_KEY = "-----BEGIN %s\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END %s\n" % (KEY_MARK, KEY_MARK)
# what a developer's tree holds that must not ship: path -> content
LEFTOVERS = {
    ".pytest_cache/v/cache/lastfailed": "{}",
    "tests/unit/.pytest_cache/README.md": "cache",
    "tests/output/junit/python3.13-controller-units.xml": "<testsuites/>",
    "tests/output/.tmp/delegation/python3.13/bin/python": "",
    ".venv/bin/python": "",
    ".venv-2.19/bin/python": "",
    ".ci/run": "make test\n",
    "tests/simulator/__pycache__/farm.cpython-313.pyc": "",
    "tests/simulator/templates/webui-selfsigned.key": FAKE_KEY,
    "tests/simulator/templates/webui-selfsigned.pem": "-----BEGIN CERTIFICATE-----\n",
    "hashops-whatsminer-0.0.1.tar.gz": "",
}
# developer tooling in the source itself
DEV_ONLY = ["Makefile", "bench", "scripts/get_pip_offline.py", "scripts/prepare-ansible-test", "scripts/find-python",
            "tests/packaging"]
# what a user of the installed collection needs (the README starts the simulator from it)
SHIPPED = ["LICENSE", "README.md", "requirements.txt", "meta/runtime.yml", "meta/execution-environment.yml",
           "changelogs/changelog.yaml", "plugins/modules/whatsminer_facts.py", "plugins/action/whatsminer_facts.py",
           "plugins/inventory/whatsminer.py", "scripts/farm.sh", "tests/simulator/farm.py", "tests/simulator/README.md"]


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    source = copy_collection(tmp_path_factory.mktemp("tree"))
    for relative, content in LEFTOVERS.items():
        path = source / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    out = tmp_path_factory.mktemp("dist")
    run(tool("ansible-galaxy"), "collection", "build", "--output-path", str(out), str(source))
    (built,) = out.glob("hashops-whatsminer-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def members(tarball) -> dict:
    """path -> bytes (None for a directory) of every member of the tarball."""
    with tarfile.open(tarball) as archive:
        return {m.name: (archive.extractfile(m).read() if m.isfile() else None) for m in archive.getmembers()}


def _under(names, prefix: str) -> list:
    return [name for name in names if name == prefix or name.startswith(prefix + "/")]


@pytest.mark.parametrize("leftover", sorted(LEFTOVERS))
def test_no_developer_leftover_ships(members, leftover):
    first_part = leftover.split("/")[0]
    if first_part in (".pytest_cache", ".venv", ".venv-2.19", ".ci") or leftover.endswith(".tar.gz"):
        assert not _under(members, first_part)
    assert leftover not in members


@pytest.mark.parametrize("path", DEV_ONLY)
def test_no_developer_tooling_ships(members, path):
    assert (ROOT / path).exists(), "the test names a file that does not exist any more: %s" % path
    assert not _under(members, path)


def test_no_cache_key_or_certificate_ships(members):
    assert not [name for name in members if "__pycache__" in name.split("/") or name.endswith((".pyc", ".key", ".pem", ".crt"))]
    assert not [name for name, data in members.items() if data and KEY_MARK.encode() in data]


@pytest.mark.parametrize("path", SHIPPED)
def test_the_collection_and_the_simulator_ship(members, path):
    assert members.get(path), "%s is missing from the tarball" % path


def test_the_licence_is_the_gpl_3_text(members):
    licence = members["LICENSE"].decode("utf-8")
    system_copy = Path("/usr/share/common-licenses/GPL-3")
    if system_copy.exists():
        assert licence == system_copy.read_text(encoding="utf-8")
    assert licence.split("\n")[0].strip() == "GNU GENERAL PUBLIC LICENSE" and "Version 3, 29 June 2007" in licence


def test_the_manifest_states_the_version_and_licence(members):
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    info = json.loads(members["MANIFEST.json"])["collection_info"]
    assert info["version"] == galaxy["version"]
    assert info["license"] == ["GPL-3.0-or-later"]


def test_the_simulator_runs_from_the_installed_collection(tarball, tmp_path):
    run(tool("ansible-galaxy"), "collection", "install", "--offline", "--force", "-p", str(tmp_path), str(tarball))
    installed = tmp_path / "ansible_collections" / "hashops" / "whatsminer"
    assert not (installed / "Makefile").exists()
    farm = start_farm(None, miners=1, personas="api205", script=installed / "tests" / "simulator" / "farm.py")
    try:
        reply = read(farm.miners[0], "get_version")
        assert reply["Code"] == 131 and reply["Msg"]["api_ver"]
    finally:
        farm.stop()


# each feature galaxy.yml's description names, and what in the tarball provides it
CLAIMS = {
    "discovery inventory": ["plugins/inventory/whatsminer.py"],
    "facts": ["plugins/modules/whatsminer_facts.py"],
    "idempotent config modules": ["plugins/modules/whatsminer_pools.py", "plugins/modules/whatsminer_power.py",
                                  "plugins/modules/whatsminer_net.py", "plugins/modules/whatsminer_settings.py"],
    "firmware": ["plugins/modules/whatsminer_firmware.py"],
    "logs": ["plugins/modules/whatsminer_logs.py"],
    "desired state": ["roles/farm_state/tasks/main.yml"],
    "rollouts": ["roles/firmware_rollout/tasks/main.yml"],
    "curtailment": ["roles/curtailment/tasks/main.yml"],
    "fleet reports": ["roles/fleet_report/tasks/main.yml"],
    "simulated farm": ["tests/simulator/farm.py", "scripts/farm.sh"],
}


def test_the_description_claims_only_what_ships(members):
    description = " ".join(yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))["description"].split())
    assert len(description) <= 255, "Galaxy shows a short description"
    claimed = [claim for claim in CLAIMS if claim in description]
    assert claimed == list(CLAIMS), "the description changed: update CLAIMS with what it now names"
    missing = [path for claim in claimed for path in CLAIMS[claim] if not members.get(path)]
    assert not missing, "the description claims features the tarball lacks: %s" % missing
