"""What the scrub rules look things up in: code sets by date of service, NCCI tables, payer rules,
today's date and the services already billed. Built once per process; one context serves every claim."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import NamedTuple, Protocol

from shared.codes import icd10cm
from shared.codes.code_tables import CodeTable, hcpcs_level2, modifiers, places_of_service
from shared.codes.ncci import MueTable, PtpTable, synthetic_mue, synthetic_ptp

PAYER_RULES_DIR = Path(__file__).parent / "payers"


class ScrubberError(ValueError):
    """Bad scrubber data (a payer rules file); the message names the file, never PHI."""

    code = "SCRUBBER_DATA_INVALID"


@dataclass(frozen=True, slots=True, eq=False)
class IcdVersion:
    """One fiscal year of ICD-10-CM, in force from `effective_from` until the next loaded version.
    Compared by identity: it keys per-version caches, and hashing its fields on every claim costs."""

    name: str
    effective_from: date
    is_valid: Callable[[str], bool]
    is_billable: Callable[[str], bool]


# FY2026 as shipped by simple-icd-10-cm; it stays in force until a newer version is loaded.
FY2026 = IcdVersion("FY2026", date(2025, 10, 1), icd10cm.is_valid, icd10cm.is_billable)


class IcdVersions:
    """ICD-10-CM versions by date of service. A date before the oldest loaded version uses the
    oldest: a platform that loads only FY2026 still judges older claims by it."""

    def __init__(self, versions: Collection[IcdVersion] = (FY2026,)) -> None:
        self._versions = sorted(versions, key=lambda v: v.effective_from, reverse=True)

    def add(self, version: IcdVersion) -> None:
        """Load a newer (or older) year beside the current one."""
        self._versions = sorted([*self._versions, version], key=lambda v: v.effective_from, reverse=True)

    def on(self, day: date) -> IcdVersion:
        for version in self._versions:
            if version.effective_from <= day:
                return version
        return self._versions[-1]


@dataclass(frozen=True, slots=True)
class PayerRules:
    """One payer's rules, as data (services/claims/scrubber/payers/<payer_id>.json)."""

    payer_id: str
    effective_from: date
    timely_filing_days: int
    telehealth_modifiers: frozenset[str]  # one of them must be on a telehealth (POS 02/10) line
    requires_group_number: bool = False
    not_covered: frozenset[str] = frozenset()  # procedure codes the payer never pays
    required_modifiers: Mapping[str, frozenset[str]] = field(default_factory=dict)  # code -> one of these


# For a payer with no file: the common 365-day limit and either telehealth modifier.
DEFAULT_PAYER_RULES = PayerRules("DEFAULT", date(2000, 1, 1), 365, frozenset({"95", "GT"}))


def parse_payer_rules(text: str, *, name: str) -> PayerRules:
    """One payer rules file; raise ScrubberError naming the file when it is malformed."""
    try:
        raw = json.loads(text)
        return PayerRules(
            payer_id=str(raw["payer_id"]),
            effective_from=date.fromisoformat(raw["effective_from"]),
            timely_filing_days=int(raw["timely_filing_days"]),
            telehealth_modifiers=frozenset(raw.get("telehealth_modifiers", ("95",))),
            requires_group_number=bool(raw.get("requires_group_number", False)),
            not_covered=frozenset(raw.get("not_covered", ())),
            required_modifiers={code: frozenset(mods) for code, mods in raw.get("required_modifiers", {}).items()},
        )
    except (ValueError, KeyError, TypeError) as failure:
        raise ScrubberError(f"payer rules {name}: {type(failure).__name__} {failure}") from None


def load_payer_rules(folder: Path = PAYER_RULES_DIR) -> dict[str, PayerRules]:
    """Every `<payer_id>.json` of `folder`, by payer id."""
    rules = {}
    for path in sorted(folder.glob("*.json")):
        parsed = parse_payer_rules(path.read_text(), name=path.name)
        rules[parsed.payer_id] = parsed
    return rules


class BilledService(NamedTuple):
    """One service as the duplicate rule compares it. `patient_key` is opaque (a digest); the
    caller decides how it is made, and it never leaves the process. (A NamedTuple: built and
    hashed for every line of every claim, where a dataclass costs several times more.)"""

    patient_key: str
    rendering_npi: str
    date_of_service: date
    procedure_code: str


class ServiceHistory(Protocol):
    """Services already billed, supplied by the caller (the claims repository, or a file's claims)."""

    def claims_billing(self, service: BilledService) -> Collection[str]:
        """Ids of the claims that already billed `service`."""
        ...


class InMemoryHistory:
    """A ServiceHistory held in a dict: for the CLI (claims earlier in the same file) and tests."""

    def __init__(self) -> None:
        self._claims: dict[BilledService, set[str]] = {}

    def record(self, claim_id: str, services: Collection[BilledService]) -> None:
        for service in services:
            self._claims.setdefault(service, set()).add(claim_id)

    def claims_billing(self, service: BilledService) -> Collection[str]:
        return self._claims.get(service, ())


@dataclass(slots=True)
class ScrubContext:
    today: date
    icd: IcdVersions = field(default_factory=IcdVersions)
    hcpcs: CodeTable = field(default_factory=hcpcs_level2)
    places_of_service: CodeTable = field(default_factory=places_of_service)
    modifiers: CodeTable = field(default_factory=modifiers)
    ptp: PtpTable = field(default_factory=synthetic_ptp)
    mue: MueTable = field(default_factory=synthetic_mue)
    payers: Mapping[str, PayerRules] = field(default_factory=load_payer_rules)

    def on(self, today: date) -> ScrubContext:
        """The same tables with another `today` (they are shared, not copied): one context per day."""
        return replace(self, today=today)

    def payer(self, payer_id: str) -> PayerRules | None:
        return self.payers.get(payer_id)

    def payer_or_default(self, payer_id: str) -> PayerRules:
        return self.payers.get(payer_id, DEFAULT_PAYER_RULES)
