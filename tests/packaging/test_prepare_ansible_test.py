"""scripts/prepare-ansible-test puts the offline pip bootstrap into the HOME ansible-test will run with
(the build directory's), and refuses the user's own home, whose ~/.ansible/test it must never touch."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import ansible_test

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "prepare-ansible-test"


def _pip_version() -> str:
    source = Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
    return re.search(r"pip='([0-9.]+)'", source.read_text(encoding="utf-8")).group(1)


def _prepare(home: Path, user_home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, HOME=str(user_home))
    return subprocess.run([str(SCRIPT), sys.executable, str(home)], env=env, capture_output=True, text=True, check=False)


def test_the_bootstrap_goes_into_the_given_home_only(tmp_path):
    user_home, test_home = tmp_path / "user", tmp_path / "build-home"
    user_home.mkdir()
    test_home.mkdir()
    (user_home / ".config" / "pip").mkdir(parents=True)
    (user_home / ".config" / "pip" / "pip.conf").write_text("[global]\n", encoding="utf-8")
    done = _prepare(test_home, user_home)
    assert done.returncode == 0, done.stderr
    cached = test_home / ".ansible" / "test" / "cache" / ("get_pip_%s.py" % _pip_version().replace(".", "_"))
    assert cached.read_bytes() == (ROOT / "scripts" / "get_pip_offline.py").read_bytes()
    assert (test_home / ".config" / "pip" / "pip.conf").resolve() == (user_home / ".config" / "pip" / "pip.conf").resolve()
    assert sorted(str(p.relative_to(user_home)) for p in user_home.rglob("*")) == [".config", ".config/pip", ".config/pip/pip.conf"]


def test_the_users_own_home_is_refused(tmp_path):
    user_home = tmp_path / "user"
    (user_home / ".ansible" / "test" / "cache").mkdir(parents=True)
    own = user_home / ".ansible" / "test" / "cache" / ("get_pip_%s.py" % _pip_version().replace(".", "_"))
    own.write_text("# the user's own download\n", encoding="utf-8")
    done = _prepare(user_home, user_home)
    assert done.returncode == 2 and "refusing to write into your own home" in done.stderr
    assert own.read_text(encoding="utf-8") == "# the user's own download\n"
