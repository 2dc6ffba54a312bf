"""The web UI's self-signed TLS certificate and key, made when the farm starts (none is shipped).

The web UI's clients do not verify the certificate (pyasic's web probe of protocol.md section 12 turns checks
off, as tests/unit/simulator/test_webui.py does), so a fresh one made at start serves as well as a shipped one:
self-signed ECDSA P-256, CN whatsminer-simulator, SAN IP 127.0.0.1, as the one shipped before was. It is made
with the `cryptography` package when that imports, else with the openssl command, into a private temporary
directory that is removed once the TLS context has read it.
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess

COMMON_NAME = "whatsminer-simulator"
VALID_DAYS = 3650


class CertificateUnavailable(Exception):
    """Neither the cryptography package nor the openssl command is there to make the certificate."""


def write_pair(directory: str) -> tuple:
    """(cert_file, key_file) written into directory, which only this user may read."""
    cert_file = os.path.join(directory, "webui.pem")
    key_file = os.path.join(directory, "webui.key")
    try:
        _with_cryptography(cert_file, key_file)
    except ImportError:
        _with_openssl(cert_file, key_file)
    return cert_file, key_file


def _with_cryptography(cert_file: str, key_file: str) -> None:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, COMMON_NAME)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    with open(cert_file, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))


def _with_openssl(cert_file: str, key_file: str) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise CertificateUnavailable("neither the Python package cryptography nor the openssl command is installed")
    command = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
               "-days", str(VALID_DAYS), "-subj", "/CN=" + COMMON_NAME, "-addext", "subjectAltName=IP:127.0.0.1",
               "-keyout", key_file, "-out", cert_file]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CertificateUnavailable("openssl req failed: %s" % (done.stderr.strip().splitlines() or ["no output"])[-1])
