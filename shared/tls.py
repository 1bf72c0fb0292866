"""TLS for the EHR feeds: contexts from files, and a small private CA for development and tests.

Production mounts the MLLP listener's certificate, key and the CA that signs the sending
facilities' client certificates from a Kubernetes Secret (deploy/). The local stack, the demo and
the tests make their own with `make_development_pki`: a CA, a server certificate for 127.0.0.1 and
localhost, and one client certificate per sender name, written to a directory outside the
repository (private keys are never committed).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def server_context(cert_file: str, key_file: str, ca_file: str) -> ssl.SSLContext:
    """A server context that requires a client certificate signed by `ca_file` (mutual TLS)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(cert_file, key_file)
    return context


def client_context(ca_file: str, cert_file: str, key_file: str) -> ssl.SSLContext:
    """A client context presenting `cert_file` and trusting servers signed by `ca_file`."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


@dataclass(frozen=True, slots=True)
class DevelopmentPki:
    directory: Path

    @property
    def ca_file(self) -> str:
        return str(self.directory / "ca.pem")

    @property
    def server_cert_file(self) -> str:
        return str(self.directory / "server.pem")

    @property
    def server_key_file(self) -> str:
        return str(self.directory / "server.key")

    def client_files(self, name: str) -> tuple[str, str]:
        """(certificate, key) of the client certificate made for `name`."""
        return str(self.directory / f"client-{name}.pem"), str(self.directory / f"client-{name}.key")

    def client_context(self, name: str) -> ssl.SSLContext:
        return client_context(self.ca_file, *self.client_files(name))


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write(path: Path, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
    (path.parent / f"{path.name}.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path = path.parent / f"{path.name}.key"
    key_path.touch(mode=0o600)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))


def _certificate(subject: str, key, issuer: x509.Name, issuer_key, *, ca: bool = False,
                 usage: x509.ObjectIdentifier | None = None, names: list[x509.GeneralName] | None = None,
                 days: int = 30) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                        critical=True)
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def make_development_pki(directory: str | Path, clients: list[str]) -> DevelopmentPki:
    """A CA, a loopback server certificate and a client certificate per name in `clients` (the
    certificate's common name), written to `directory` (created; files replaced)."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    ca_key = _key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rcm development feed CA")])
    ca = _certificate("rcm development feed CA", ca_key, ca_name, ca_key, ca=True)
    _write(root / "ca", ca, ca_key)
    server_key = _key()
    server = _certificate("registration-feeds", server_key, ca_name, ca_key, usage=ExtendedKeyUsageOID.SERVER_AUTH,
                          names=[x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    _write(root / "server", server, server_key)
    for name in clients:
        client_key = _key()
        client = _certificate(name, client_key, ca_name, ca_key, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
        _write(root / f"client-{name}", client, client_key)
    return DevelopmentPki(root)
