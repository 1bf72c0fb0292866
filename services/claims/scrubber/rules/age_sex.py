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
from services.claims.scrubber.facts import age_in_years


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


def _age_days(facts):
    born, day = facts.patient.birth_date, facts.first_date_of_service
    if born is None or day is None:
        return None
    return (day - born).days


def _naming(codes, message):
    """`message`, with {} for the code, for each of `codes`."""
    messages = ()
    for code in codes:
        messages += (message.format(code),)
    return messages


@rule("AGE-001", "age_sex", "OBSTETRIC_CODE_NOT_FEMALE", "pregnancy codes only for female patients",
      needs="male_patient")
def obstetric_female(claim, facts):
    return _naming(_kinds(claim.diagnoses).obstetric, "pregnancy diagnosis {} on a male patient")


@rule("AGE-002", "age_sex", "NEWBORN_CODE_NOT_NEWBORN", "perinatal and newborn codes only for patients under one month/year")
def newborn_codes(claim, facts):
    kinds = _kinds(claim.diagnoses)
    if not (kinds.newborn_exams or kinds.perinatal):
        return ()
    days = _age_days(facts)
    if days is None:
        return ()
    messages = ()
    for code in kinds.newborn_exams:
        if days > 28:
            messages += (f"newborn exam {code} on a patient older than 28 days",)
    for code in kinds.perinatal:
        if days >= 365:
            messages += (f"perinatal diagnosis {code} on a patient older than one year",)
    return messages


@rule("AGE-003", "age_sex", "MALE_CODE_NOT_MALE", "male genital diagnoses only for male patients",
      needs="female_patient")
def male_only(claim, facts):
    return _naming(_kinds(claim.diagnoses).male_only, "male-only diagnosis {} on a female patient")


@rule("AGE-004", "age_sex", "FEMALE_CODE_NOT_FEMALE", "female genital diagnoses only for female patients",
      needs="male_patient")
def female_only(claim, facts):
    return _naming(_kinds(claim.diagnoses).female_only, "female-only diagnosis {} on a male patient")


@rule("AGE-005", "age_sex", "PROCEDURE_AGE_MISMATCH", "age-banded procedure codes match the patient's age")
def procedure_age(claim, facts):
    born, day = facts.patient.birth_date, facts.first_date_of_service
    messages = ()
    for line in claim.lines:
        band = PROCEDURE_AGES.get(line.procedure_code)
        if band is None or born is None or day is None:
            continue
        if not band[0] <= age_in_years(born, day) <= band[1]:
            messages += (f"line {line.line_number} {line.procedure_code} is for ages {band[0]}-{band[1]}; "
                         "the patient is outside it",)
    return messages


RULES = (obstetric_female, newborn_codes, male_only, female_only, procedure_age)
