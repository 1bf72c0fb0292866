"""Codes that fit only some patients: obstetric, newborn, sex-specific and age-banded codes.

The code ranges follow the ICD-10-CM tabular chapters and the Medicare Code Editor's edits:
pregnancy codes (chapter 15, O00-O9A, and Z33-Z3A) for female patients, perinatal codes
(chapter 16, P00-P96) and newborn codes for newborns, male and female genital organ diseases
for that sex. Procedure age bands are those of the preventive visit codes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from services.claims.scrubber.engine import rule
from services.claims.scrubber.facts import age_in_years, first_date_of_service, patient


def _in(code: str, ranges: tuple[tuple[str, str], ...]) -> bool:
    head = code[:3]
    return any(first <= head <= last for first, last in ranges)


OBSTETRIC = (("O00", "O9A"), ("Z33", "Z3A"))
PERINATAL = (("P00", "P96"), ("Z38", "Z38"))
NEWBORN_EXAMS = ("Z00110", "Z00111")  # health check of a newborn under 8 days / 8 to 28 days
MALE_ONLY = (("N40", "N53"), ("C60", "C63"), ("D29", "D29"))
FEMALE_ONLY = (("N70", "N98"), ("C51", "C58"), ("D25", "D28"))
# Preventive medicine visit codes by the patient's age in whole years: (first, last) inclusive.
PROCEDURE_AGES = {
    "99381": (0, 0), "99382": (1, 4), "99383": (5, 11), "99384": (12, 17), "99385": (18, 39),
    "99386": (40, 64), "99387": (65, 200),
    "99391": (0, 0), "99392": (1, 4), "99393": (5, 11), "99394": (12, 17), "99395": (18, 39),
    "99396": (40, 64), "99397": (65, 200),
    "90460": (0, 18),  # vaccine counselling administration, patients under 19
}


class _Kinds(NamedTuple):
    obstetric: tuple[str, ...]
    perinatal: tuple[str, ...]
    newborn_exams: tuple[str, ...]
    male_only: tuple[str, ...]
    female_only: tuple[str, ...]


@lru_cache(maxsize=1 << 16)  # the same diagnosis lists come back claim after claim
def _kinds(diagnoses: tuple[str, ...]) -> _Kinds:
    """The diagnoses of each patient-specific kind, in claim order."""
    return _Kinds(
        tuple(code for code in diagnoses if _in(code, OBSTETRIC)),
        tuple(code for code in diagnoses if _in(code, PERINATAL)),
        tuple(code for code in diagnoses if code in NEWBORN_EXAMS),
        tuple(code for code in diagnoses if _in(code, MALE_ONLY) or code.startswith("Z125")),
        tuple(code for code in diagnoses if _in(code, FEMALE_ONLY)),
    )


def _sex(claim):
    return patient(claim).sex


def _age_days(claim):
    born, day = patient(claim).birth_date, first_date_of_service(claim)
    if born is None or day is None:
        return None
    return (day - born).days


@rule("AGE-001", "age_sex", "OBSTETRIC_CODE_NOT_FEMALE", "pregnancy codes only for female patients")
def obstetric_female(claim, context):
    if _sex(claim) == "M":
        for code in _kinds(claim.diagnoses).obstetric:
            yield f"pregnancy diagnosis {code} on a male patient"


@rule("AGE-002", "age_sex", "NEWBORN_CODE_NOT_NEWBORN", "perinatal and newborn codes only for patients under one month/year")
def newborn_codes(claim, context):
    kinds = _kinds(claim.diagnoses)
    if not (kinds.newborn_exams or kinds.perinatal):
        return
    days = _age_days(claim)
    if days is None:
        return
    for code in kinds.newborn_exams:
        if days > 28:
            yield f"newborn exam {code} on a patient older than 28 days"
    for code in kinds.perinatal:
        if days >= 365:
            yield f"perinatal diagnosis {code} on a patient older than one year"


@rule("AGE-003", "age_sex", "MALE_CODE_NOT_MALE", "male genital diagnoses only for male patients")
def male_only(claim, context):
    if _sex(claim) == "F":
        for code in _kinds(claim.diagnoses).male_only:
            yield f"male-only diagnosis {code} on a female patient"


@rule("AGE-004", "age_sex", "FEMALE_CODE_NOT_FEMALE", "female genital diagnoses only for female patients")
def female_only(claim, context):
    if _sex(claim) == "M":
        for code in _kinds(claim.diagnoses).female_only:
            yield f"female-only diagnosis {code} on a male patient"


@rule("AGE-005", "age_sex", "PROCEDURE_AGE_MISMATCH", "age-banded procedure codes match the patient's age")
def procedure_age(claim, context):
    banded = [(line, band) for line in claim.lines if (band := PROCEDURE_AGES.get(line.procedure_code or ""))]
    if not banded:
        return
    born, day = patient(claim).birth_date, first_date_of_service(claim)
    if born is None or day is None:
        return
    age = age_in_years(born, day)
    for line, band in banded:
        if not band[0] <= age <= band[1]:
            yield f"line {line.line_number} {line.procedure_code} is for ages {band[0]}-{band[1]}; the patient is outside it"


RULES = (obstetric_female, newborn_codes, male_only, female_only, procedure_age)
