"""The simulated world: practices (tenants), their providers, patients and chargemasters, and payers.

Everything is drawn from one integer seed with a private `random.Random`, so the same seed always
builds the same world. Every person in it is obviously synthetic: fake-looking names
("Testy Synthetica"), streets such as "100 Synthetic Way", ZIP codes 000xx (never assigned by USPS),
tax ids starting 00 (never assigned by the IRS). NPIs carry a valid check digit so that claims pass
the scrub; they are random and belong to no one we know of.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from shared.codes.npi import npi_check_digit
from shared.events import Address, Coverage, CoverageOrder, Patient, Provider, Relationship, Sex, Subscriber
from shared.money import from_cents

# Birth dates are drawn relative to this date, not to "today", so a world never depends on the clock.
BIRTH_REFERENCE_DATE = date(2025, 1, 1)
# Early enough that every simulated date of service is priced, whatever start date a run picks.
CHARGEMASTER_EFFECTIVE_FROM = date(2020, 1, 1)
CHARGEMASTER_CSV_HEADER = ("procedure_code", "modifier", "unit_price", "effective_from", "description")


class Specialty(StrEnum):
    FAMILY_PRACTICE = "family_practice"
    ORTHOPEDICS = "orthopedics"
    PEDIATRICS = "pediatrics"


class PlanKind(StrEnum):
    COMMERCIAL = "commercial"
    MEDICARE = "medicare"
    MEDICAID = "medicaid"


@dataclass(frozen=True, slots=True)
class PatientShare:
    """How a payer splits the allowed amount with the patient (the PR adjustments of an 835)."""

    deductible_cents: int = 0  # per claim, when the patient has not met the deductible yet (PR-1)
    deductible_rate: float = 0.0  # share of claims that land before the deductible is met
    coinsurance_bp: int = 0  # basis points of what is left after deductible and copay (PR-2)
    copay_cents: int = 0  # once per claim (PR-3)


@dataclass(frozen=True, slots=True)
class PayerProfile:
    payer_id: str
    payer_name: str
    plan_kind: PlanKind
    allowed_ratio_bp: int  # allowed amount as basis points of the billed charge: 6800 = 68 %
    patient_share: PatientShare


@dataclass(frozen=True, slots=True)
class SimulatedPatient:
    patient: Patient
    coverages: tuple[Coverage, ...]  # primary first

    @property
    def primary(self) -> Coverage:
        return self.coverages[0]


@dataclass(frozen=True, slots=True)
class ChargemasterRow:
    procedure_code: str
    modifier: str | None
    unit_price: Decimal
    description: str  # our own words, never AMA descriptor text
    effective_from: date = CHARGEMASTER_EFFECTIVE_FROM


@dataclass(frozen=True, slots=True)
class Practice:
    """A tenant: one medical practice billed through the platform."""

    tenant_id: str
    name: str
    specialty: Specialty
    billing: Provider  # the group (2010AA billing provider), with its tax id
    providers: tuple[Provider, ...]  # rendering providers
    patients: tuple[SimulatedPatient, ...]
    chargemaster: tuple[ChargemasterRow, ...]


@dataclass(frozen=True, slots=True)
class World:
    seed: int
    practices: tuple[Practice, ...]
    payers: tuple[PayerProfile, ...]

    def practice(self, tenant_id: str) -> Practice:
        """The practice of `tenant_id`; KeyError if the world has none."""
        for practice in self.practices:
            if practice.tenant_id == tenant_id:
                return practice
        raise KeyError(tenant_id)

    def payer(self, payer_id: str) -> PayerProfile:
        """The payer with `payer_id`; KeyError if the world has none."""
        for payer in self.payers:
            if payer.payer_id == payer_id:
                return payer
        raise KeyError(payer_id)


PAYERS: tuple[PayerProfile, ...] = (
    PayerProfile("SIMBLUE01", "Synthetic Blue Plan", PlanKind.COMMERCIAL, 6800,
                 PatientShare(deductible_cents=50_000, deductible_rate=0.20, coinsurance_bp=2000,
                              copay_cents=2500)),
    PayerProfile("SIMACME02", "Acme Test Health HMO", PlanKind.COMMERCIAL, 6000,
                 PatientShare(copay_cents=3000)),
    PayerProfile("SIMHDHP03", "Testcare High Deductible Plan", PlanKind.COMMERCIAL, 7500,
                 PatientShare(deductible_cents=150_000, deductible_rate=0.45, coinsurance_bp=1000)),
    PayerProfile("SIMMCR04", "Simulated Medicare Part B", PlanKind.MEDICARE, 5200,
                 PatientShare(deductible_cents=25_700, deductible_rate=0.15, coinsurance_bp=2000)),
    PayerProfile("SIMMCD05", "Synthetic Medicaid Care", PlanKind.MEDICAID, 4500, PatientShare()),
)
_COMMERCIAL = tuple(p for p in PAYERS if p.plan_kind is PlanKind.COMMERCIAL)
_MEDICARE = next(p for p in PAYERS if p.plan_kind is PlanKind.MEDICARE)
_MEDICAID = next(p for p in PAYERS if p.plan_kind is PlanKind.MEDICAID)


@dataclass(frozen=True, slots=True)
class _PracticeSpec:
    tenant_id: str
    name: str
    specialty: Specialty
    state: str
    city: str
    mrn_prefix: str
    taxonomy: str  # individual provider taxonomy
    price_factor_bp: int  # each practice sets its own prices around the base list
    youngest: int
    oldest: int


_PRACTICES = (
    _PracticeSpec("northside-family", "Northside Family Medicine (synthetic)", Specialty.FAMILY_PRACTICE,
                  "OH", "Testville", "SIMNF", "207Q00000X", 10_000, 0, 92),
    _PracticeSpec("lakeview-ortho", "Lakeview Orthopedics (synthetic)", Specialty.ORTHOPEDICS,
                  "MN", "Mocktown", "SIMLO", "207X00000X", 11_500, 18, 88),
    _PracticeSpec("riverbend-peds", "Riverbend Pediatrics (synthetic)", Specialty.PEDIATRICS,
                  "OR", "Sampleburg", "SIMRP", "208000000X", 9_500, 0, 17),
)
_GROUP_TAXONOMY = "193400000X"  # single-specialty group

# (procedure_code, modifier, base price in cents, description). Descriptions are our own words.
_COMMON_ROWS: tuple[tuple[str, str | None, int, str], ...] = (
    ("99202", None, 12_000, "E/M new patient, level 2"),
    ("99203", None, 18_000, "E/M new patient, level 3"),
    ("99204", None, 27_000, "E/M new patient, level 4"),
    ("99205", None, 35_000, "E/M new patient, level 5"),
    ("99211", None, 4_500, "E/M established, level 1"),
    ("99212", None, 9_000, "E/M established, level 2"),
    ("99213", None, 14_000, "E/M established, level 3"),
    ("99214", None, 21_000, "E/M established, level 4"),
    ("99215", None, 29_000, "E/M established, level 5"),
    ("99391", None, 19_000, "Preventive visit, established, under 1 year"),
    ("99392", None, 20_000, "Preventive visit, established, age 1 to 4"),
    ("99393", None, 20_000, "Preventive visit, established, age 5 to 11"),
    ("99394", None, 22_000, "Preventive visit, established, age 12 to 17"),
    ("99395", None, 24_000, "Preventive visit, established, age 18 to 39"),
    ("99396", None, 26_000, "Preventive visit, established, age 40 to 64"),
    ("99397", None, 28_000, "Preventive visit, established, 65 and over"),
    ("36415", None, 1_800, "Blood draw by venipuncture"),
    ("90686", None, 4_200, "Flu vaccine, quadrivalent, preservative free"),
    ("90471", None, 2_800, "Vaccine administration, first"),
    ("90460", None, 3_500, "Vaccine administration with counseling, under 19"),
)
_SPECIALTY_ROWS: dict[Specialty, tuple[tuple[str, str | None, int, str], ...]] = {
    Specialty.FAMILY_PRACTICE: (
        ("G0438", None, 25_000, "Medicare annual wellness visit, initial"),
        ("G0439", None, 18_000, "Medicare annual wellness visit, subsequent"),
        ("81002", None, 1_200, "Urinalysis dipstick, non-automated, no microscopy"),
    ),
    Specialty.ORTHOPEDICS: (
        ("20610", None, 21_000, "Major joint or bursa injection or aspiration"),
        ("J1100", None, 800, "Dexamethasone injection, per 1 mg"),
        ("J3301", None, 600, "Triamcinolone injection, per 10 mg"),
        ("73562", None, 12_000, "Knee x-ray, three views, global"),
        ("73562", "26", 4_000, "Knee x-ray, three views, reading only"),
        ("73562", "TC", 8_000, "Knee x-ray, three views, technical only"),
        ("29881", None, 240_000, "Knee arthroscopy with meniscectomy"),
    ),
    Specialty.PEDIATRICS: (
        ("96110", None, 2_500, "Developmental screening with scored instrument"),
    ),
}

_PATIENT_FIRST_NAMES = ("Testy", "Sample", "Demo", "Mocky", "Synthia", "Dummy", "Fakey", "Example",
                        "Proto", "Pixel", "Widget", "Gadget", "Nully", "Byte", "Fixture", "Stubby")
_PATIENT_LAST_NAMES = ("Testpatient", "Synthetica", "Mockerson", "Fakesworth", "Samplesen", "Demoski",
                       "Examplar", "Dummett", "Nullberg", "Fixturey", "Placeholder", "Notreal")
_PROVIDER_FIRST_NAMES = ("Alpha", "Bravo", "Delta", "Echo", "Foxtrot", "Kilo", "Lima", "Oscar",
                         "Quebec", "Sierra", "Tango", "Zulu")
_PROVIDER_LAST_NAMES = ("Testdoc", "Mockwell", "Simulatus", "Fakenham", "Testington", "Samplewood",
                        "Stubbins", "Placebo")
_STREETS = ("Synthetic Way", "Test Data Lane", "Mock Avenue", "Sample Street", "Placeholder Court",
            "Fixture Road")


def build_world(seed: int, *, patients_per_practice: int = 300) -> World:
    """Return the simulated world of `seed`: three practices, five payers, providers and patients."""
    rng = random.Random(seed)
    used_npis: set[str] = set()
    practices = tuple(_build_practice(rng, spec, used_npis, patients_per_practice) for spec in _PRACTICES)
    return World(seed=seed, practices=practices, payers=PAYERS)


def unit_price(chargemaster: Sequence[ChargemasterRow], procedure_code: str,
               modifiers: Sequence[str] = ()) -> Decimal | None:
    """The unit price of a service, or None when the chargemaster does not price it.

    As in coding: a row for the first-listed modifier (the pricing modifier, 26 or TC) wins;
    otherwise the code's row without a modifier prices it (25, RT and LT only describe a service).
    """
    rows = {row.modifier: row.unit_price for row in chargemaster if row.procedure_code == procedure_code}
    if modifiers and modifiers[0] in rows:
        return rows[modifiers[0]]
    return rows.get(None)


def chargemaster_csv(practice: Practice) -> str:
    """The practice's chargemaster as CSV text, header
    `procedure_code,modifier,unit_price,effective_from,description`; an empty modifier means none."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CHARGEMASTER_CSV_HEADER)
    for row in practice.chargemaster:
        writer.writerow((row.procedure_code, row.modifier or "", f"{row.unit_price:.2f}",
                         row.effective_from.isoformat(), row.description))
    return out.getvalue()


def _build_practice(rng: random.Random, spec: _PracticeSpec, used_npis: set[str],
                    patient_count: int) -> Practice:
    group_name = spec.name.replace(" (synthetic)", " Group (synthetic)")
    billing = Provider(npi=_new_npi(rng, used_npis), name=group_name, taxonomy=_GROUP_TAXONOMY,
                       tax_id="00" + _digits(rng, 7), address=_billing_address(spec))
    providers = tuple(
        Provider(npi=_new_npi(rng, used_npis),
                 name=f"{rng.choice(_PROVIDER_LAST_NAMES)}, {rng.choice(_PROVIDER_FIRST_NAMES)} MD",
                 taxonomy=spec.taxonomy)
        for _ in range(rng.randint(3, 6))
    )
    patients = tuple(_build_patient(rng, spec, number) for number in range(1, patient_count + 1))
    return Practice(tenant_id=spec.tenant_id, name=spec.name, specialty=spec.specialty, billing=billing,
                    providers=providers, patients=patients, chargemaster=_chargemaster(spec))


def _chargemaster(spec: _PracticeSpec) -> tuple[ChargemasterRow, ...]:
    rows = _COMMON_ROWS + _SPECIALTY_ROWS[spec.specialty]
    # Integer arithmetic, then down to whole dollars: a chargemaster price is a round number.
    return tuple(
        ChargemasterRow(code, modifier, from_cents(base * spec.price_factor_bp // 1_000_000 * 100), description)
        for code, modifier, base, description in rows
    )


def _build_patient(rng: random.Random, spec: _PracticeSpec, number: int) -> SimulatedPatient:
    age = _draw_age(rng, spec)
    birth_date = BIRTH_REFERENCE_DATE - timedelta(days=age * 365 + rng.randint(0, 364))
    patient = Patient(
        mrn=f"{spec.mrn_prefix}{number:06d}",
        first_name=rng.choice(_PATIENT_FIRST_NAMES),
        last_name=rng.choice(_PATIENT_LAST_NAMES),
        birth_date=birth_date,
        sex=rng.choices((Sex.FEMALE, Sex.MALE, Sex.UNKNOWN), weights=(49, 49, 2))[0],
        address=Address(line1=f"{rng.randint(1, 999)} {rng.choice(_STREETS)}", city=spec.city,
                        state=spec.state, postal_code="000" + _digits(rng, 2)),
    )
    return SimulatedPatient(patient=patient, coverages=_draw_coverages(rng, age, patient))


def _draw_age(rng: random.Random, spec: _PracticeSpec) -> int:
    if spec.specialty is Specialty.FAMILY_PRACTICE and rng.random() < 0.75:
        return rng.randint(18, spec.oldest)  # a family practice panel is mostly adults
    return rng.randint(spec.youngest, spec.oldest)


def _billing_address(spec: _PracticeSpec) -> Address:
    # A drawer of its own, so adding the address did not change any other draw of the world.
    rng = random.Random(f"billing-address|{spec.tenant_id}")
    # ZIP+4: the 837 requires the billing provider's full nine-digit ZIP code.
    return Address(line1=f"{rng.randint(100, 9999)} {rng.choice(_STREETS)}", city=spec.city, state=spec.state,
                   postal_code="000" + _digits(rng, 6))


def _draw_coverages(rng: random.Random, age: int, patient: Patient) -> tuple[Coverage, ...]:
    if age >= 65 and rng.random() < 0.85:
        primary = _MEDICARE
        secondary = rng.choice(_COMMERCIAL) if rng.random() < 0.5 else None  # a supplement plan
    elif rng.random() < (0.40 if age < 18 else 0.15):
        primary, secondary = _MEDICAID, None
    else:
        primary = rng.choice(_COMMERCIAL)
        others = [p for p in PAYERS if p is not primary and p is not _MEDICARE]
        secondary = rng.choice(others) if rng.random() < 0.08 else None
    relationship = _draw_relationship(rng, age, primary)
    coverages = [_coverage(rng, primary, relationship, CoverageOrder.PRIMARY, patient)]
    if secondary is not None:
        coverages.append(_coverage(rng, secondary, Relationship.SELF, CoverageOrder.SECONDARY, patient))
    return tuple(coverages)


def _draw_relationship(rng: random.Random, age: int, payer: PayerProfile) -> Relationship:
    if payer.plan_kind is not PlanKind.COMMERCIAL:
        return Relationship.SELF  # government plans enrol the patient themselves
    if age < 18:
        return Relationship.CHILD
    return Relationship.SPOUSE if rng.random() < 0.2 else Relationship.SELF


_FILING_INDICATOR = {PlanKind.COMMERCIAL: "CI", PlanKind.MEDICARE: "MB", PlanKind.MEDICAID: "MC"}


def _coverage(rng: random.Random, payer: PayerProfile, relationship: Relationship,
              order: CoverageOrder, patient: Patient) -> Coverage:
    group = "GRP" + _digits(rng, 5) if payer.plan_kind is PlanKind.COMMERCIAL else None
    member_id = "SIM" + _digits(rng, 9)
    holder = None if relationship is Relationship.SELF else _subscriber(member_id, relationship, patient)
    return Coverage(payer_id=payer.payer_id, payer_name=payer.payer_name, member_id=member_id,
                    group_number=group, relationship=relationship, order=order, subscriber=holder,
                    claim_filing_indicator=_FILING_INDICATOR[payer.plan_kind])


def _subscriber(member_id: str, relationship: Relationship, patient: Patient) -> Subscriber:
    """The parent or spouse who holds a dependent's coverage, drawn from the member id so the
    world's other draws stay as they were."""
    rng = random.Random(f"subscriber|{member_id}")
    years_older = rng.randint(22, 40) if relationship is Relationship.CHILD else rng.randint(-4, 4)
    return Subscriber(first_name=rng.choice(_PATIENT_FIRST_NAMES), last_name=patient.last_name,
                      birth_date=patient.birth_date - timedelta(days=years_older * 365 + rng.randint(0, 364)),
                      sex=rng.choice((Sex.FEMALE, Sex.MALE)))


def _new_npi(rng: random.Random, used: set[str]) -> str:
    while True:
        body = "1" + _digits(rng, 8)
        npi = body + npi_check_digit(body)
        if npi not in used:
            used.add(npi)
            return npi


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10 ** count):0{count}d}"
