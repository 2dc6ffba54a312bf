"""Stand-in for the get-pip.py script that ansible-test downloads from a host this farm cannot reach.

ansible-test runs it inside a fresh virtualenv with pip's install arguments. It installs the pip
bundled with CPython (ensurepip), then lets that pip install what was asked for from PyPI. An older
bundled pip trusts only its own CA list, so it is pointed at the system's, which is what newer pip
does by itself (truststore).
"""

from __future__ import annotations

import ensurepip
import os
import ssl
import subprocess
import sys

IGNORED = {"--no-setuptools", "--no-wheel"}

if __name__ == "__main__":
    ensurepip.bootstrap(upgrade=True)
    arguments = [arg for arg in sys.argv[1:] if arg not in IGNORED]
    system_cas = ssl.get_default_verify_paths().openssl_cafile
    if system_cas and os.path.isfile(system_cas):
        arguments = ["--cert", system_cas, *arguments]
    sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *arguments]))
