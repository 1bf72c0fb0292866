"""Simulated visits taken in-process through registration and coding to the Claim837 the claims
service scrubs: the same domain functions the services call, without Kafka or MongoDB."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from services.coding.chargemaster import Chargemaster, ChargemasterEntry
from services.coding.domain import Coded, code_encounter
from services.registration.domain import register
from shared.events import FrequencyCode, Relationship, SubmittedClaim
from shared.money import total
from shared.x12.models.claim import BillingProvider, Claim837, Person, ProfessionalClaim
from shared.x12.models.common import PostalAddress
from simulator.feed import SimulatedVisit
from simulator.population import PlanKind, World

_FILING_INDICATOR = {PlanKind.MEDICARE: "MB", PlanKind.MEDICAID: "MC", PlanKind.COMMERCIAL: "CI"}


@dataclass(frozen=True, slots=True)
class SimulatedClaim:
    visit: SimulatedVisit
    claim: Claim837 | None  # None when coding held the encounter


def _chargemasters(world: World) -> dict[str, Chargemaster]:
    return {
        practice.tenant_id: Chargemaster(
            ChargemasterEntry(row.procedure_code, row.modifier, row.unit_price, row.effective_from, None,
                              row.description)
            for row in practice.chargemaster)
        for practice in world.practices
    }


def simulated_claims(world: World, visits: list[SimulatedVisit]) -> Iterator[SimulatedClaim]:
    """Each visit registered, coded and, unless coding holds it, made into an original 837P claim."""
    chargemasters = _chargemasters(world)
    for visit in visits:
        registered = register(visit.request, visit.tenant_id)
        coded = code_encounter(registered, chargemasters[visit.tenant_id])
        if not isinstance(coded, Coded):
            yield SimulatedClaim(visit, None)
            continue
        yield SimulatedClaim(visit, _claim837(world, visit, coded.payload))


def _claim837(world: World, visit: SimulatedVisit, coded) -> Claim837:
    practice = world.practice(visit.tenant_id)
    claim_id = "clm_" + hashlib.sha256(coded.encounter_id.encode()).hexdigest()[:24]
    coverage = coded.coverages[0]
    content = SubmittedClaim(
        claim_id=claim_id, encounter_id=coded.encounter_id, frequency_code=FrequencyCode.ORIGINAL,
        patient=coded.patient, coverage=coverage, visit=coded.visit, diagnoses=coded.diagnoses,
        lines=coded.lines, total_charge=total(line.charge for line in coded.lines))
    group = practice.billing
    address = coded.patient.address
    billing = BillingProvider(group.npi, group.name, group.tax_id,
                              PostalAddress("1 Synthetic Plaza", address.city, address.state, address.postal_code),
                              group.taxonomy)
    subscriber = None
    if coverage.relationship is not Relationship.SELF:
        subscriber = Person("SUBSCRIBER", "SYNTHETIC", date(1975, 1, 1), "F",
                            PostalAddress("1 Synthetic Way", address.city, address.state, address.postal_code))
    filing = _FILING_INDICATOR[world.payer(coverage.payer_id).plan_kind]
    return ProfessionalClaim(claim=content, billing=billing, subscriber=subscriber,
                             claim_filing_indicator=filing).to_claim837()
