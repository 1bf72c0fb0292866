"""Builders for the simulator's unit tests: a world, clean visits, and claims priced from them."""

from __future__ import annotations

from datetime import date

import pytest

from shared.events import ChargeLine, FrequencyCode, SubmittedClaim
from shared.ids import stable_id
from shared.money import total
from simulator.feed import ErrorRates, SimulatedVisit, registrations
from simulator.population import World, build_world, unit_price

START = date(2025, 6, 2)


def a_submitted_claim(world: World, visit: SimulatedVisit) -> SubmittedClaim:
    """The original claim the claims service would build for a clean visit, on its primary coverage."""
    request = visit.request
    chargemaster = world.practice(visit.tenant_id).chargemaster
    claim_id = stable_id("clm", visit.encounter_id)
    lines = tuple(
        ChargeLine(
            line_number=number,
            line_item_control_number=f"{claim_id[4:]}{number:02d}",
            procedure_code=service.procedure_code,
            modifiers=service.modifiers,
            units=service.units,
            charge=unit_price(chargemaster, service.procedure_code, service.modifiers) * service.units,
            diagnosis_pointers=service.diagnosis_pointers,
        )
        for number, service in enumerate(request.services, start=1)
    )
    return SubmittedClaim(
        claim_id=claim_id,
        encounter_id=visit.encounter_id,
        frequency_code=FrequencyCode.ORIGINAL,
        patient=request.patient,
        coverage=request.coverages[0],
        visit=request.visit,
        diagnoses=tuple(diagnosis.code for diagnosis in request.diagnoses),
        lines=lines,
        total_charge=total(line.charge for line in lines),
    )


@pytest.fixture(scope="session")
def start() -> date:
    return START


@pytest.fixture(scope="session")
def world() -> World:
    return build_world(11)


@pytest.fixture(scope="session")
def clean_visits(world: World) -> list[SimulatedVisit]:
    return registrations(world, 600, start=START, error_rates=ErrorRates.none(), seed=5)


@pytest.fixture(scope="session")
def submitted_claims(world: World, clean_visits: list[SimulatedVisit]) -> list[SubmittedClaim]:
    return [a_submitted_claim(world, visit) for visit in clean_visits]


@pytest.fixture(scope="session")
def many_claims(world: World) -> list[SubmittedClaim]:
    """Two thousand claims, enough to check a rate within a binomial tolerance."""
    visits = registrations(world, 2_000, start=START, error_rates=ErrorRates.none(), seed=6)
    return [a_submitted_claim(world, visit) for visit in visits]
