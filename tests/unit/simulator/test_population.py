import csv
import io
from decimal import Decimal

from pydantic import TypeAdapter

from shared.codes.npi import is_valid_npi
from shared.events import TenantId
from simulator.population import (
    CHARGEMASTER_CSV_HEADER,
    PlanKind,
    World,
    build_world,
    chargemaster_csv,
    unit_price,
)


def all_npis(world: World) -> list[str]:
    return [provider.npi for practice in world.practices for provider in (practice.billing, *practice.providers)]


def test_the_same_seed_builds_the_same_world() -> None:
    assert build_world(42) == build_world(42)


def test_a_different_seed_builds_a_different_world() -> None:
    assert build_world(42) != build_world(43)


def test_the_world_has_three_practices_with_tenant_ids_and_five_payers(world: World) -> None:
    tenant_ids = [TypeAdapter(TenantId).validate_python(p.tenant_id) for p in world.practices]
    assert tenant_ids == ["northside-family", "lakeview-ortho", "riverbend-peds"]
    assert len({payer.payer_id for payer in world.payers}) == 5


def test_every_practice_has_three_to_six_rendering_providers(world: World) -> None:
    assert all(3 <= len(practice.providers) <= 6 for practice in world.practices)


def test_every_provider_npi_passes_its_check_digit_and_is_unique(world: World) -> None:
    npis = all_npis(world)
    assert all(is_valid_npi(npi) for npi in npis)
    assert len(set(npis)) == len(npis)


def test_every_billing_provider_carries_a_tax_id_no_irs_would_issue(world: World) -> None:
    assert all(p.billing.tax_id is not None and p.billing.tax_id.startswith("00") for p in world.practices)


def test_every_patient_is_obviously_synthetic(world: World) -> None:
    for practice in world.practices:
        for simulated in practice.patients:
            patient = simulated.patient
            assert patient.mrn.startswith("SIM")
            assert patient.address.postal_code.startswith("000")  # ZIP 000xx is never assigned
            assert any(word in patient.address.line1 for word in ("Synthetic", "Test", "Mock", "Sample",
                                                                 "Placeholder", "Fixture"))


def test_mrns_are_unique_within_a_practice(world: World) -> None:
    for practice in world.practices:
        mrns = [simulated.patient.mrn for simulated in practice.patients]
        assert len(set(mrns)) == len(mrns)


def test_every_patient_has_a_primary_coverage_with_a_payer_of_the_world(world: World) -> None:
    payer_ids = {payer.payer_id for payer in world.payers}
    for practice in world.practices:
        for simulated in practice.patients:
            assert simulated.primary.order == "primary"
            assert {coverage.payer_id for coverage in simulated.coverages} <= payer_ids
            assert len({coverage.payer_id for coverage in simulated.coverages}) == len(simulated.coverages)


def test_some_patients_have_a_secondary_coverage(world: World) -> None:
    patients = [s for practice in world.practices for s in practice.patients]
    assert any(len(s.coverages) == 2 for s in patients)


def test_only_payers_with_a_patient_share_style_bill_patients(world: World) -> None:
    medicaid = next(payer for payer in world.payers if payer.plan_kind is PlanKind.MEDICAID)
    share = medicaid.patient_share
    assert (share.copay_cents, share.coinsurance_bp, share.deductible_cents) == (0, 0, 0)


def test_the_chargemaster_csv_has_the_agreed_header_and_every_row(world: World) -> None:
    practice = world.practice("lakeview-ortho")
    rows = list(csv.DictReader(io.StringIO(chargemaster_csv(practice))))
    assert tuple(rows[0].keys()) == CHARGEMASTER_CSV_HEADER
    assert len(rows) == len(practice.chargemaster)
    assert all(Decimal(row["unit_price"]).as_tuple().exponent == -2 for row in rows)
    assert {"", "26", "TC"} == {row["modifier"] for row in rows}


def test_a_reading_only_x_ray_prices_apart_from_the_global_service(world: World) -> None:
    chargemaster = world.practice("lakeview-ortho").chargemaster
    global_price = unit_price(chargemaster, "73562", ("RT",))
    reading_price = unit_price(chargemaster, "73562", ("26", "RT"))
    technical_price = unit_price(chargemaster, "73562", ("TC",))
    assert global_price is not None and reading_price is not None and technical_price is not None
    assert reading_price < global_price and technical_price < global_price


def test_a_code_missing_from_the_chargemaster_has_no_price(world: World) -> None:
    assert unit_price(world.practice("riverbend-peds").chargemaster, "29881") is None
