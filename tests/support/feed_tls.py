"""Mutual TLS for the feed tests: a CA and certificates made once per test process, in a temporary
directory removed at exit (private keys never land in the repository)."""

from __future__ import annotations

import atexit
import shutil
import ssl
import tempfile
from functools import lru_cache

from shared.tls import DevelopmentPki, make_development_pki

# Certificate name -> the facility keys (tests/unit/ehr/samples.py FACILITIES) it may send for.
SENDERS = {"TESTFAC": ["TESTFAC"], "OTHERFAC": ["OTHERFAC/RCMB"], "INTRUDER": []}


@lru_cache(maxsize=1)
def pki() -> DevelopmentPki:
    directory = tempfile.mkdtemp(prefix="rcm-feed-pki-")
    atexit.register(shutil.rmtree, directory, True)
    return make_development_pki(directory, list(SENDERS) + ["UNLISTED"])


def mllp_tls_settings() -> dict[str, object]:
    """RegistrationSettings fields of a mutual-TLS MLLP listener trusting the test CA."""
    authority = pki()
    return {"registration_mllp_cert_file": authority.server_cert_file,
            "registration_mllp_key_file": authority.server_key_file,
            "registration_mllp_ca_file": authority.ca_file, "registration_mllp_senders": SENDERS}


def client_tls(name: str = "TESTFAC") -> ssl.SSLContext:
    """The client context of the sender certificate `name`."""
    return pki().client_context(name)
