"""Opaque identifiers. None of them is derived from PHI in a way that can be read back.

Encounter and patient ids are name-based UUIDs (uuid5) of the tenant and the EHR's own visit number
or MRN, so the same visit registered twice maps to the same encounter, and any feed can compute the
correlation id of a visit without asking registration. uuid5 is a one-way hash: the id does not reveal
the MRN it was made from.
"""

import uuid
from functools import lru_cache

_NAMESPACE = uuid.UUID("6f1c3c1e-51f4-4b0c-9a55-1c0de0000001")


@lru_cache(maxsize=1 << 14)  # a visit's and a patient's ids are asked for several times per message
def _name_based(kind: str, tenant_id: str, external: str) -> str:
    return uuid.uuid5(_NAMESPACE, f"{kind}|{tenant_id}|{external}").hex


def encounter_id_for(tenant_id: str, visit_number: str) -> str:
    """The encounter id of a tenant's visit: 'enc_' + 32 hex digits, stable across feeds."""
    return "enc_" + _name_based("encounter", tenant_id, visit_number)


def patient_id_for(tenant_id: str, mrn: str) -> str:
    """The patient id of a tenant's MRN: 'pat_' + 32 hex digits."""
    return "pat_" + _name_based("patient", tenant_id, mrn)


def new_id(prefix: str) -> str:
    """A fresh random id such as 'clm_3f2a...' (prefix plus 24 hex digits, fits X12 CLM01's 38)."""
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def stable_id(prefix: str, *parts: str) -> str:
    """A deterministic id for a fact that may be computed twice (e.g. a denial of one remittance line)."""
    return f"{prefix}_{uuid.uuid5(_NAMESPACE, '|'.join(parts)).hex[:24]}"
