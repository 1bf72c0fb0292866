"""The 999 and 277CA we write validate cleanly with pyx12 as well as with our own validator."""

from __future__ import annotations

from shared.x12 import InMemoryControlNumbers, Party, read, rejected, write_277ca, write_837p, write_999
from shared.x12.samples import CREATED, sample_partners, sample_professional_claims

from .test_pyx12_oracle import _assert_pyx12_accepts

BACK = sample_partners("TESTCLEARING", "TESTCLINIC")


def test_pyx12_accepts_our_999_with_a_rejected_set(envelope, tmp_path) -> None:
    text = write_837p(sample_professional_claims(3), **envelope).replace("SV1*HC:", "SV1*HX:", 1)
    answer = write_999(read(text), partners=BACK, control_numbers=InMemoryControlNumbers(), created=CREATED)
    _assert_pyx12_accepts(answer, tmp_path)


def test_pyx12_accepts_our_277ca_with_a_rejected_claim(envelope, tmp_path) -> None:
    claims = sample_professional_claims(3)
    answer = write_277ca(
        read(write_837p(claims, **envelope)),
        source=Party("TEST HEALTH PLAN", "TESTPAYER1", "PI"),
        verdicts={claims[1].claim.claim_id: rejected("A7", "562", "85")},
        partners=BACK,
        control_numbers=InMemoryControlNumbers(),
        created=CREATED,
    )
    _assert_pyx12_accepts(answer, tmp_path)
