"""A synthetic EHR feed: visits of the simulated practices as RegistrationRequested events.

Visits look like each specialty's day: problem visits, physicals and Medicare wellness visits in
family practice; evaluations, joint injections and knee arthroscopy in orthopedics; well-child and
sick visits in pediatrics. Diagnoses are billable ICD-10-CM codes that support the services they
point to, and the note names them.

A small, known share of visits carries one injected error, so a test can check that the pipeline
stops exactly those: a non-billable diagnosis code and an unpriced procedure code (coding holds the
encounter), or one error per claim scrubber category that coding lets through (a rendering NPI
with a wrong check digit, a malformed member id, an unassigned place of service, ...; see
`SCRUB_CATEGORY`), which the scrubber must stop with that category. Errors made when a claim is
built rather than in the visit (frequency, COB, balancing) are in simulator/claim_errors.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import accumulate

from shared.events import Coverage, Diagnosis, DocumentedService, Provider, RegistrationRequested, Sex, Visit
from shared.ids import encounter_id_for
from simulator.population import PlanKind, Practice, SimulatedPatient, Specialty, World


class InjectedError(StrEnum):
    INVALID_DIAGNOSIS = "invalid_diagnosis"  # coding must hold the encounter
    INVALID_RENDERING_NPI = "invalid_rendering_npi"  # the claim scrub must fail the claim
    UNPRICED_PROCEDURE = "unpriced_procedure"  # coding must hold the encounter
    # Errors coding lets through and the claim scrubber must stop, one per scrubber category.
    MALFORMED_MEMBER_ID = "malformed_member_id"  # demographics: a space in the member id
    UNKNOWN_PLACE_OF_SERVICE = "unknown_place_of_service"  # code_validity: POS 30 is unassigned
    REPEATED_DIAGNOSIS_POINTER = "repeated_diagnosis_pointer"  # diagnosis_pointer: pointers (1, 1)
    BUNDLED_VISIT = "bundled_visit"  # ncci_ptp: a 99211 beside a service that includes it
    UNITS_OVER_LIMIT = "units_over_limit"  # mue: three units of a once-a-day service
    PREGNANCY_CODE_ON_MALE = "pregnancy_code_on_male"  # age_sex
    EXCLUDES1_PAIR = "excludes1_pair"  # excludes1: allergic rhinitis with asthma coded apart
    TELEHEALTH_WITHOUT_MODIFIER = "telehealth_without_modifier"  # telehealth: POS 10, no 95/GT
    PAST_FILING_LIMIT = "past_filing_limit"  # timely_filing: seen 400 days earlier
    DUPLICATE_VISIT = "duplicate_visit"  # duplicate: the previous clean visit sent again
    GROUP_NUMBER_MISSING = "group_number_missing"  # payer_rule: a commercial plan without group


# The scrubber category that must stop each injected error (None: coding holds it first).
SCRUB_CATEGORY: dict[InjectedError, str | None] = {
    InjectedError.INVALID_DIAGNOSIS: None,
    InjectedError.UNPRICED_PROCEDURE: None,
    InjectedError.INVALID_RENDERING_NPI: "provider",
    InjectedError.MALFORMED_MEMBER_ID: "demographics",
    InjectedError.UNKNOWN_PLACE_OF_SERVICE: "code_validity",
    InjectedError.REPEATED_DIAGNOSIS_POINTER: "diagnosis_pointer",
    InjectedError.BUNDLED_VISIT: "ncci_ptp",
    InjectedError.UNITS_OVER_LIMIT: "mue",
    InjectedError.PREGNANCY_CODE_ON_MALE: "age_sex",
    InjectedError.EXCLUDES1_PAIR: "excludes1",
    InjectedError.TELEHEALTH_WITHOUT_MODIFIER: "telehealth",
    InjectedError.PAST_FILING_LIMIT: "timely_filing",
    InjectedError.DUPLICATE_VISIT: "duplicate",
    InjectedError.GROUP_NUMBER_MISSING: "payer_rule",
}
SCRUB_ERRORS = tuple(error for error, category in SCRUB_CATEGORY.items() if category is not None
                     and error is not InjectedError.INVALID_RENDERING_NPI)
SCRUB_ERROR_RATE = 0.004  # each; eleven of them stop about 4.4 % of visits at the scrub


@dataclass(frozen=True, slots=True)
class ErrorRates:
    """Share of visits that get each injected error; a visit gets at most one."""

    invalid_diagnosis: float = 0.02
    invalid_rendering_npi: float = 0.02
    unpriced_procedure: float = 0.02
    # One rate per scrubber error class (SCRUB_ERRORS), each SCRUB_ERROR_RATE unless given.
    scrub_errors: tuple[tuple[InjectedError, float], ...] = tuple((e, SCRUB_ERROR_RATE) for e in SCRUB_ERRORS)

    def __post_init__(self) -> None:
        rates = (self.invalid_diagnosis, self.invalid_rendering_npi, self.unpriced_procedure,
                 *(rate for _, rate in self.scrub_errors))
        if any(not 0.0 <= rate <= 1.0 for rate in rates) or sum(rates) > 1.0:
            raise ValueError("error rates must each be within 0..1 and add up to at most 1")
        if any(error not in SCRUB_ERRORS for error, _ in self.scrub_errors):
            raise ValueError("scrub_errors names an error that is not a scrubber error class")

    @classmethod
    def none(cls) -> ErrorRates:
        """Rates that inject no error at all."""
        return cls(0.0, 0.0, 0.0, ())

    @classmethod
    def only_scrub_errors(cls, rate: float) -> ErrorRates:
        """Every scrubber error class at `rate`, and no coding errors."""
        return cls(0.0, 0.0, 0.0, tuple((error, rate) for error in SCRUB_ERRORS))

    def all(self) -> tuple[tuple[InjectedError, float], ...]:
        """Every error with its rate, in the order draws are matched."""
        return ((InjectedError.INVALID_DIAGNOSIS, self.invalid_diagnosis),
                (InjectedError.INVALID_RENDERING_NPI, self.invalid_rendering_npi),
                (InjectedError.UNPRICED_PROCEDURE, self.unpriced_procedure),
                *self.scrub_errors)


@dataclass(frozen=True, slots=True)
class SimulatedVisit:
    tenant_id: str
    request: RegistrationRequested
    injected: InjectedError | None = None

    @property
    def encounter_id(self) -> str:
        return encounter_id_for(self.tenant_id, self.request.visit.visit_number)


# Not billable: category headers (E11, R05, J45), a code deleted when it was subdivided (M545),
# and a code that never existed (Q99999). All still fit the feed's diagnosis format.
INVALID_DIAGNOSIS_CODES = ("E11", "M545", "R05", "J45", "Q99999")
# Unlisted-service codes: valid CPT format, but no simulated chargemaster prices them.
UNPRICED_PROCEDURE_CODES = ("99499", "99429", "97799")

# Every diagnosis the feed can send, with the words the note uses for it.
DIAGNOSIS_PHRASES: dict[str, str] = {
    "I10": "essential hypertension", "E119": "type 2 diabetes without complications",
    "E785": "hyperlipidemia", "K219": "gastro-esophageal reflux", "F419": "anxiety",
    "J302": "seasonal allergic rhinitis", "E039": "hypothyroidism", "G4733": "obstructive sleep apnea",
    "J449": "COPD", "I2510": "coronary artery disease without angina", "E559": "vitamin D deficiency",
    "D649": "anemia", "G43909": "migraine", "Z87891": "history of nicotine dependence",
    "Z79899": "long-term medication use", "E6601": "severe obesity", "Z6841": "BMI 40 to 44.9",
    "Z7984": "long-term oral hypoglycemic use", "J069": "upper respiratory infection",
    "J029": "pharyngitis", "R051": "acute cough", "N390": "urinary tract infection",
    "J209": "acute bronchitis", "M5450": "low back pain", "R42": "dizziness", "M62830": "back muscle spasm",
    "Z0000": "adult exam, no abnormal findings", "Z0001": "adult exam with abnormal findings",
    "Z00129": "child exam, no abnormal findings", "Z00121": "child exam with abnormal findings",
    "Z00110": "newborn exam, first week", "Z00111": "newborn exam, 8 to 28 days",
    "Z23": "immunization", "Z1342": "developmental screening",
    "H6690": "otitis media", "H6691": "right otitis media", "H6692": "left otitis media",
    "R509": "fever", "L209": "atopic dermatitis", "A09": "infectious gastroenteritis", "R110": "nausea",
    "B349": "viral infection", "J45909": "asthma", "F900": "ADHD, inattentive type",
    "R6250": "delayed milestones",
    "M25561": "right knee pain", "M25562": "left knee pain", "M1711": "right knee osteoarthritis",
    "M1712": "left knee osteoarthritis", "M170": "bilateral knee osteoarthritis",
    "S83241A": "right medial meniscus tear", "S83242A": "left medial meniscus tear",
    "M25511": "right shoulder pain", "M25512": "left shoulder pain",
    "M19011": "right shoulder osteoarthritis", "M19012": "left shoulder osteoarthritis",
    "M75101": "right rotator cuff tear", "M75102": "left rotator cuff tear",
    "M7061": "right trochanteric bursitis", "M7062": "left trochanteric bursitis",
    "S93401A": "right ankle sprain", "S93402A": "left ankle sprain",
    "M79671": "right foot pain", "M79672": "left foot pain",
    "Z3400": "supervision of normal first pregnancy",
}
_UNREADABLE_PHRASE = "problem list entry pending review"

_CHRONIC = ("I10", "E119", "E785", "K219", "F419", "J302", "E039", "G4733", "J449", "I2510", "E559",
            "D649", "G43909")
_COMPLEX_EXTRAS = ("Z87891", "Z79899", "E6601", "Z6841")
_ACUTE_ADULT = ("J069", "J029", "R051", "N390", "J209", "M5450", "R42", "M62830")
# No J302 here: allergic rhinitis beside asthma (J45909) is an Excludes1 pair the scrubber stops.
_ACUTE_CHILD = ("H6690", "H6691", "H6692", "J069", "R509", "J029", "R051", "L209", "A09", "R110", "B349",
                "J45909")
_CHILD_FINDINGS = ("L209", "J302", "H6690", "J45909")
_LAB_DIAGNOSES = ("E119", "E785", "E039", "D649", "E559", "I10")  # worth a blood draw
# Orthopedic conditions as (right, left) codes; the side also picks the RT/LT modifier.
_KNEE_PAIN, _KNEE_OA, _MENISCUS = ("M25561", "M25562"), ("M1711", "M1712"), ("S83241A", "S83242A")
_SHOULDER_PAIN, _SHOULDER_OA, _CUFF = ("M25511", "M25512"), ("M19011", "M19012"), ("M75101", "M75102")
_HIP_BURSITIS, _ANKLE_SPRAIN, _FOOT_PAIN = ("M7061", "M7062"), ("S93401A", "S93402A"), ("M79671", "M79672")
_KNEE_CONDITIONS = (_KNEE_PAIN, _KNEE_OA, _MENISCUS)
_EVALUATED_CONDITIONS = _KNEE_CONDITIONS + (_SHOULDER_PAIN, _SHOULDER_OA, _CUFF, _ANKLE_SPRAIN, _FOOT_PAIN)

_SPECIALTY_SHARE = {Specialty.FAMILY_PRACTICE: 50, Specialty.ORTHOPEDICS: 20, Specialty.PEDIATRICS: 30}
_NEW_PATIENT_CODE = {"99212": "99202", "99213": "99203", "99214": "99204", "99215": "99205"}


def registrations(world: World, count: int, *, start: date, error_rates: ErrorRates = ErrorRates(),
                  seed: int) -> list[SimulatedVisit]:
    """Return `count` simulated visits with dates of service in the 90 days before `start`.

    The same world, count, start, rates and seed give the same visits. Visit numbers contain the
    seed, so runs with different seeds never collide on an encounter id. Each visit says which
    error, if any, was injected into it.
    """
    rng = random.Random(seed)
    # Injection details come from their own stream, so changing a rate changes only the visits
    # that get an error, not every visit after them.
    injection_rng = random.Random(f"{seed}|injection")
    practices = world.practices
    cumulative_shares = list(accumulate(_SPECIALTY_SHARE[p.specialty] for p in practices))
    visits = []
    seen: set[tuple[str, str, str, date]] = set()
    last_clean: tuple[Practice, _Draft] | None = None
    for sequence in range(1, count + 1):
        practice = rng.choices(practices, cum_weights=cumulative_shares)[0]
        draft = _draft_visit(rng, world, practice, start)
        _avoid_accidental_duplicate(draft, practice, seen, start)
        injected = _draw_injection(rng.random(), error_rates)
        if injected is InjectedError.DUPLICATE_VISIT:
            if last_clean is None:
                injected = None  # nothing was sent before that it could repeat
            else:
                practice, draft = last_clean[0], _copy(last_clean[1])
        elif injected is not None:
            _inject(injection_rng, world, draft, injected)
        if injected is None:
            last_clean = (practice, draft)
        visit_number = f"V{seed}-{sequence:06d}"
        visits.append(SimulatedVisit(practice.tenant_id, draft.to_request(practice, visit_number), injected))
    return visits


@dataclass(slots=True)
class _Draft:
    """A visit being put together: diagnoses in claim order and services pointing at them."""

    patient: SimulatedPatient
    rendering: Provider
    date_of_service: date
    registered_at: datetime
    opening: str = ""
    plan: str = ""
    place_of_service: str = "11"  # office
    diagnoses: list[str] = field(default_factory=list)
    services: list[DocumentedService] = field(default_factory=list)

    def diagnosis(self, code: str) -> int:
        """Add `code` once and return its 1-based pointer."""
        if code in self.diagnoses:
            return self.diagnoses.index(code) + 1
        if len(self.diagnoses) == 12:  # a claim holds twelve; the rest stay in the chart
            return 1
        self.diagnoses.append(code)
        return len(self.diagnoses)

    def service(self, code: str, pointers: tuple[int, ...] = (1,), modifiers: tuple[str, ...] = (),
                units: int = 1) -> None:
        self.services.append(DocumentedService(procedure_code=code, modifiers=modifiers, units=units,
                                               diagnosis_pointers=pointers[:4]))

    def to_request(self, practice: Practice, visit_number: str) -> RegistrationRequested:
        phrases = "; ".join(DIAGNOSIS_PHRASES.get(code, _UNREADABLE_PHRASE) for code in self.diagnoses)
        return RegistrationRequested(
            source="simulator",
            source_message_id=f"sim-{practice.tenant_id}-{visit_number}",
            registered_at=self.registered_at,
            patient=self.patient.patient,
            coverages=self.patient.coverages,
            visit=Visit(visit_number=visit_number, date_of_service=self.date_of_service,
                        place_of_service=self.place_of_service, rendering=self.rendering,
                        billing=practice.billing),
            services=tuple(self.services),
            diagnoses=tuple(_diagnosis(code) for code in self.diagnoses),
            note=f"Synthetic note, simulated visit. {self.opening} Assessment: {phrases}. Plan: {self.plan}",
        )


@lru_cache(maxsize=None)
def _diagnosis(code: str) -> Diagnosis:
    return Diagnosis(code=code)  # a frozen value; the feed repeats a few dozen codes


def _draft_visit(rng: random.Random, world: World, practice: Practice, start: date) -> _Draft:
    date_of_service = start - timedelta(days=rng.randint(1, 90))
    if date_of_service.weekday() >= 5 and rng.random() < 0.8:  # most clinics close at weekends
        date_of_service = start - timedelta(days=rng.randint(1, 90))
    # 13:00-21:59 UTC is roughly a US clinic day.
    registered_at = datetime(date_of_service.year, date_of_service.month, date_of_service.day,
                             rng.randint(13, 21), rng.choice((0, 15, 30, 45)), tzinfo=UTC)
    draft = _Draft(patient=rng.choice(practice.patients), rendering=rng.choice(practice.providers),
                   date_of_service=date_of_service, registered_at=registered_at)
    if practice.specialty is Specialty.FAMILY_PRACTICE:
        _family_practice_visit(rng, world, draft)
    elif practice.specialty is Specialty.ORTHOPEDICS:
        _orthopedic_visit(rng, draft)
    else:
        _pediatric_visit(rng, draft)
    return draft


# --- family practice ---------------------------------------------------------------------------


def _family_practice_visit(rng: random.Random, world: World, draft: _Draft) -> None:
    age = _age(draft)
    on_medicare = world.payer(draft.patient.primary.payer_id).plan_kind is PlanKind.MEDICARE
    kind = rng.choices(("problem", "preventive"), weights=(70, 30))[0]
    if kind == "problem":
        _problem_visit(rng, draft, age)
    elif on_medicare and age >= 65:
        _medicare_wellness_visit(rng, draft)  # Medicare pays a wellness visit, not a routine physical
    else:
        _preventive_visit(rng, draft, age)


def _problem_visit(rng: random.Random, draft: _Draft, age: int) -> None:
    draft.opening = "Seen for ongoing conditions and new concerns."
    draft.plan = "Medications reviewed, follow up in three months."
    if age < 18:
        problems = rng.sample(_ACUTE_CHILD, rng.choices((1, 2), weights=(70, 30))[0])
    else:
        how_many = rng.choices((1, 2, 3, 4, 0), weights=(45, 30, 14, 7, 4))[0]
        if how_many == 0:  # a complex patient: a long problem list, up to the claim's limit
            problems = rng.sample(_CHRONIC + _COMPLEX_EXTRAS, rng.randint(5, 10))
            problems += ["Z7984"] if "E119" in problems else []
        else:
            problems = rng.sample(_CHRONIC + _ACUTE_ADULT, how_many)
    pointers = tuple(draft.diagnosis(code) for code in problems)
    draft.service(_office_visit_code(rng, len(problems), new_rate=0.12), pointers)
    lab_reason = next((code for code in problems if code in _LAB_DIAGNOSES), None)
    if lab_reason and rng.random() < 0.45:
        draft.service("36415", (draft.diagnosis(lab_reason),))
    urine_reason = "N390" if "N390" in problems else "E119" if "E119" in problems else None
    if urine_reason and rng.random() < (0.85 if urine_reason == "N390" else 0.15):
        draft.service("81002", (draft.diagnosis(urine_reason),))
    if age >= 3 and rng.random() < 0.12:
        _flu_shot(draft, age)


def _preventive_visit(rng: random.Random, draft: _Draft, age: int) -> None:
    draft.opening = "Routine preventive examination."
    draft.plan = "Age-appropriate screening and counselling given."
    abnormal = rng.random() < 0.25
    exam = draft.diagnosis(_exam_diagnosis(draft, age, abnormal))
    pointers = (exam,)
    if abnormal:
        finding = rng.choice(_CHRONIC if age >= 18 else _CHILD_FINDINGS)
        pointers += (draft.diagnosis(finding),)
    draft.service(_preventive_code(age), pointers)
    if age >= 18 and rng.random() < 0.35:
        draft.service("36415", (exam,))
    if age >= 3 and rng.random() < 0.25:
        _flu_shot(draft, age)


def _medicare_wellness_visit(rng: random.Random, draft: _Draft) -> None:
    draft.opening = "Annual wellness visit."
    draft.plan = "Personalized prevention plan updated."
    exam = draft.diagnosis("Z0000")
    draft.service("G0439" if rng.random() < 0.75 else "G0438", (exam,))
    if rng.random() < 0.3:
        _flu_shot(draft, 65)


# --- orthopedics -------------------------------------------------------------------------------


def _orthopedic_visit(rng: random.Random, draft: _Draft) -> None:
    side = rng.randrange(2)  # 0 right, 1 left
    side_modifier = ("RT", "LT")[side]
    kind = rng.choices(("evaluation", "injection", "arthroscopy"), weights=(50, 38, 12))[0]
    if kind == "evaluation":
        condition = rng.choice(_EVALUATED_CONDITIONS)
        draft.opening = "Orthopedic evaluation."
        draft.plan = "Home exercises and activity modification; recheck in six weeks."
        pointer = draft.diagnosis(condition[side])
        visit_pointers = (pointer,)
        if rng.random() < 0.15:  # a comorbidity that shaped the evaluation
            visit_pointers += (draft.diagnosis(rng.choice(("I10", "E6601", "E119"))),)
        if rng.random() < 0.4:
            code = rng.choices(("99203", "99204"), weights=(60, 40))[0]
        else:
            code = rng.choices(("99213", "99214"), weights=(65, 35))[0]
        draft.service(code, visit_pointers)
        if condition in _KNEE_CONDITIONS and rng.random() < 0.55:
            component = rng.choices(((), ("26",), ("TC",)), weights=(65, 25, 10))[0]
            draft.service("73562", (pointer,), component + (side_modifier,))
    elif kind == "injection":
        condition = rng.choice((_KNEE_OA, _HIP_BURSITIS, _SHOULDER_OA))
        draft.opening = "Joint injection under aseptic technique."
        draft.plan = "Corticosteroid injected, tolerated well; ice and rest."
        pointer = draft.diagnosis(condition[side])
        if rng.random() < 0.5:  # a separate evaluation the same day needs modifier 25
            draft.service("99213", (pointer,), ("25",))
        draft.service("20610", (pointer,), (side_modifier,))
        if rng.random() < 0.5:
            draft.service("J1100", (pointer,), units=rng.randint(4, 10))  # billed per 1 mg
        else:
            draft.service("J3301", (pointer,), units=4)  # 40 mg, billed per 10 mg
    else:
        draft.opening = "Knee arthroscopy."
        draft.plan = "Partial meniscectomy performed; post-operative protocol."
        draft.place_of_service = "24"  # ambulatory surgical center
        pointers = (draft.diagnosis(_MENISCUS[side]),)
        if rng.random() < 0.3:
            pointers += (draft.diagnosis(_KNEE_OA[side]),)
        draft.service("29881", pointers, (side_modifier,))


# --- pediatrics --------------------------------------------------------------------------------


def _pediatric_visit(rng: random.Random, draft: _Draft) -> None:
    age = _age(draft)
    kind = rng.choices(("well", "sick", "behavioral"), weights=(45, 45, 10))[0]
    if kind == "well":
        draft.opening = "Well-child check."
        draft.plan = "Growth and development reviewed, anticipatory guidance given."
        abnormal = rng.random() < 0.15
        exam = draft.diagnosis(_exam_diagnosis(draft, age, abnormal))
        pointers = (exam,)
        if abnormal:
            pointers += (draft.diagnosis(rng.choice(_CHILD_FINDINGS)),)
        draft.service(_preventive_code(age), pointers)
        if age < 3 or rng.random() < 0.1:
            screening = draft.diagnosis("Z1342") if rng.random() < 0.5 else exam
            draft.service("96110", (screening,))
        if age >= 3 and rng.random() < 0.35:
            _flu_shot(draft, age)
    elif kind == "sick" or age < 2:
        draft.opening = "Sick visit."
        draft.plan = "Supportive care, return if worse."
        problems = rng.sample(_ACUTE_CHILD, rng.choices((1, 2, 3), weights=(60, 30, 10))[0])
        pointers = tuple(draft.diagnosis(code) for code in problems)
        draft.service(_office_visit_code(rng, len(problems), new_rate=0.10), pointers)
    else:
        draft.opening = "Behavioral and developmental follow-up."
        draft.plan = "School and family supports discussed."
        if age < 5:
            pointer = draft.diagnosis("R6250")
            draft.service("99214", (pointer,))
            draft.service("96110", (pointer,))
        else:
            pointers = (draft.diagnosis("F900"),)
            if rng.random() < 0.3:
                pointers += (draft.diagnosis("F419"),)
            draft.service("99214", pointers)


# --- shared pieces -------------------------------------------------------------------------------


def _flu_shot(draft: _Draft, age: int) -> None:
    immunization = draft.diagnosis("Z23")
    draft.service("90686", (immunization,))
    # Under 19 with counselling by the physician bills 90460; otherwise the plain administration code.
    draft.service("90460" if age < 19 else "90471", (immunization,))


def _office_visit_code(rng: random.Random, problem_count: int, *, new_rate: float) -> str:
    """An E/M level that grows with the number of problems addressed."""
    if problem_count == 1:
        code = rng.choices(("99212", "99213"), weights=(30, 70))[0]
    elif problem_count == 2:
        code = rng.choices(("99213", "99214"), weights=(60, 40))[0]
    elif problem_count <= 4:
        code = rng.choices(("99214", "99215"), weights=(70, 30))[0]
    else:
        code = "99215"
    return _NEW_PATIENT_CODE[code] if rng.random() < new_rate else code


def _preventive_code(age: int) -> str:
    for upper, code in ((1, "99391"), (5, "99392"), (12, "99393"), (18, "99394"), (40, "99395"), (65, "99396")):
        if age < upper:
            return code
    return "99397"


def _exam_diagnosis(draft: _Draft, age: int, abnormal: bool) -> str:
    if age >= 18:
        return "Z0001" if abnormal else "Z0000"
    days_old = (draft.date_of_service - draft.patient.patient.birth_date).days
    if days_old < 8:
        return "Z00110"
    if days_old <= 28:
        return "Z00111"
    return "Z00121" if abnormal else "Z00129"


def _age(draft: _Draft) -> int:
    born, seen = draft.patient.patient.birth_date, draft.date_of_service
    return max(0, seen.year - born.year - ((seen.month, seen.day) < (born.month, born.day)))


# --- injected errors ---------------------------------------------------------------------------


def _draw_injection(draw: float, rates: ErrorRates) -> InjectedError | None:
    threshold = 0.0
    for error, rate in rates.all():
        threshold += rate
        if draw < threshold:
            return error
    return None


def _avoid_accidental_duplicate(draft: _Draft, practice: Practice, seen: set[tuple[str, str, str, date]],
                                start: date) -> None:
    """Move a visit a day earlier (from the window's start back to its end) while the same patient
    already saw the same clinician that day: two such visits would bill the same services twice,
    which only DUPLICATE_VISIT may do."""
    def key() -> tuple[str, str, str, date]:
        return (practice.tenant_id, draft.patient.patient.mrn, draft.rendering.npi, draft.date_of_service)

    while key() in seen:
        day = draft.date_of_service - timedelta(days=1)
        if day < start - timedelta(days=90):
            day = start - timedelta(days=1)
        draft.registered_at += day - draft.date_of_service
        draft.date_of_service = day
    seen.add(key())


def _copy(draft: _Draft) -> _Draft:
    return replace(draft, diagnoses=list(draft.diagnoses), services=list(draft.services))


# Services whose same-day 99211 the synthetic NCCI fixture bundles (shared/codes/data).
_BUNDLING_99211 = frozenset({"99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215", "99391",
                             "99392", "99393", "99394", "99395", "99396", "99397", "G0438", "G0439", "29881",
                             "20610"})
_PAST_FILING_DAYS = 400  # longer than any simulated payer's filing limit (365 at most)


def _inject(rng: random.Random, world: World, draft: _Draft, error: InjectedError) -> None:
    if error in _SCRUB_INJECTIONS:
        _SCRUB_INJECTIONS[error](rng, world, draft)
    elif error is InjectedError.INVALID_DIAGNOSIS:
        draft.diagnoses[rng.randrange(len(draft.diagnoses))] = rng.choice(INVALID_DIAGNOSIS_CODES)
    elif error is InjectedError.INVALID_RENDERING_NPI:
        npi = draft.rendering.npi
        wrong_check_digit = str((int(npi[-1]) + rng.randint(1, 9)) % 10)
        draft.rendering = draft.rendering.model_copy(update={"npi": npi[:-1] + wrong_check_digit})
    else:
        draft.service(rng.choice(UNPRICED_PROCEDURE_CODES), (1,))


def _malformed_member_id(rng: random.Random, world: World, draft: _Draft) -> None:
    primary = draft.patient.coverages[0]
    member_id = primary.member_id[:3] + " " + primary.member_id[3:]
    _replace_primary(draft, primary.model_copy(update={"member_id": member_id}))


def _unknown_place_of_service(rng: random.Random, world: World, draft: _Draft) -> None:
    draft.place_of_service = "30"  # a gap in the CMS list


def _repeated_pointer(rng: random.Random, world: World, draft: _Draft) -> None:
    first = draft.services[0]
    draft.services[0] = first.model_copy(update={"diagnosis_pointers": (first.diagnosis_pointers[0],) * 2})


def _bundled_visit(rng: random.Random, world: World, draft: _Draft) -> None:
    # Every visit's first service is one the fixture bundles 99211 into; 99211 is on every chargemaster.
    assert draft.services[0].procedure_code in _BUNDLING_99211, draft.services[0].procedure_code
    draft.service("99211", draft.services[0].diagnosis_pointers)


def _units_over_limit(rng: random.Random, world: World, draft: _Draft) -> None:
    draft.services[0] = draft.services[0].model_copy(update={"units": 3})  # MUE 1 or 2 for every first service


def _pregnancy_code_on_male(rng: random.Random, world: World, draft: _Draft) -> None:
    draft.patient = replace(draft.patient, patient=draft.patient.patient.model_copy(update={"sex": Sex.MALE}))
    _add_diagnoses(draft, ("Z3400",))


def _excludes1_pair(rng: random.Random, world: World, draft: _Draft) -> None:
    _add_diagnoses(draft, ("J302", "J45909"))  # J30 excludes allergic rhinitis with asthma (J45.909)


def _telehealth_without_modifier(rng: random.Random, world: World, draft: _Draft) -> None:
    draft.place_of_service = rng.choice(("02", "10"))


def _past_filing_limit(rng: random.Random, world: World, draft: _Draft) -> None:
    # The patient is as old on the earlier date as on the real one, so age-banded codes still fit.
    shift = timedelta(days=_PAST_FILING_DAYS)
    draft.date_of_service -= shift
    draft.registered_at -= shift
    patient = draft.patient.patient
    draft.patient = replace(draft.patient, patient=patient.model_copy(update={"birth_date": patient.birth_date - shift}))


def _group_number_missing(rng: random.Random, world: World, draft: _Draft) -> None:
    payer = world.payer("SIMBLUE01")
    primary = draft.patient.coverages[0]
    _replace_primary(draft, Coverage(payer_id=payer.payer_id, payer_name=payer.payer_name,
                                     member_id=primary.member_id, group_number=None))


def _replace_primary(draft: _Draft, primary: Coverage) -> None:
    draft.patient = replace(draft.patient, coverages=(primary, *draft.patient.coverages[1:]))


def _add_diagnoses(draft: _Draft, codes: tuple[str, ...]) -> None:
    """Add `codes` (pointed at by no service); when the claim's twelve are full, they replace the last ones."""
    for code in codes:
        if code in draft.diagnoses:
            continue
        if len(draft.diagnoses) < 12:
            draft.diagnoses.append(code)
        else:
            draft.diagnoses[-1 - codes.index(code)] = code


_SCRUB_INJECTIONS = {
    InjectedError.MALFORMED_MEMBER_ID: _malformed_member_id,
    InjectedError.UNKNOWN_PLACE_OF_SERVICE: _unknown_place_of_service,
    InjectedError.REPEATED_DIAGNOSIS_POINTER: _repeated_pointer,
    InjectedError.BUNDLED_VISIT: _bundled_visit,
    InjectedError.UNITS_OVER_LIMIT: _units_over_limit,
    InjectedError.PREGNANCY_CODE_ON_MALE: _pregnancy_code_on_male,
    InjectedError.EXCLUDES1_PAIR: _excludes1_pair,
    InjectedError.TELEHEALTH_WITHOUT_MODIFIER: _telehealth_without_modifier,
    InjectedError.PAST_FILING_LIMIT: _past_filing_limit,
    InjectedError.GROUP_NUMBER_MISSING: _group_number_missing,
}
