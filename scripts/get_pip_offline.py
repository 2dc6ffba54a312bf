"""Stand-in for the get-pip.py script that ansible-test downloads from a host this farm cannot reach.

ansible-test runs it inside a fresh virtualenv with pip's install arguments. It installs the pip
bundled with CPython (ensurepip), then lets that pip install what was asked for from PyPI.
"""

from __future__ import annotations

import ensurepip
import subprocess
import sys

IGNORED = {"--no-setuptools", "--no-wheel"}

if __name__ == "__main__":
    ensurepip.bootstrap(upgrade=True)
    arguments = [arg for arg in sys.argv[1:] if arg not in IGNORED]
    sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *arguments]))
