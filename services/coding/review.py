"""Documentation checks and coder review: pure rules over suggestions, diagnoses and decisions.

`documentation_findings` checks the provider's principal diagnosis against what the note supports
(see suggestions.py). `apply_decision` turns a coder's decision into the diagnoses to bill, and
`coder_qa` computes per-coder QA figures from recorded decisions. Findings and decisions name codes
only, never note text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from services.coding.chargemaster import CodingError
from services.coding.suggestions import NoteReading, SuggestionIndex
from shared.codes import icd10cm
from shared.events import CodingDecision, Diagnosis, Finding

CONFIDENT: Final = 0.6  # a suggestion at least this confident contradicts an unsupported diagnosis

Severity = Literal["error", "warning"]


class InvalidDecision(CodingError):
    """A coder's decision that cannot be applied (no suggestion to accept, a bad code...)."""

    code = "CODING_DECISION_INVALID"


def documentation_findings(reading: NoteReading, diagnoses: Sequence[Diagnosis], index: SuggestionIndex,
                           severity: Severity) -> tuple[Finding, ...]:
    """A finding when the note does not support the principal diagnosis: NOTE_DISAGREES_WITH_DIAGNOSIS
    if a confident suggestion points elsewhere, else NOTE_SUPPORT_LOW_CONFIDENCE. A principal
    diagnosis that is not even a billable code is left to the code edits."""
    if not diagnoses or not icd10cm.is_billable(diagnoses[0].code):
        return ()
    principal = icd10cm.normalize(diagnoses[0].code)
    if index.supports(reading, principal):
        return ()
    best = reading.best
    if best is not None and best.confidence >= CONFIDENT:
        return (Finding(code="NOTE_DISAGREES_WITH_DIAGNOSIS", severity=severity,
                        message=f"diagnosis 1 {principal} is not supported by the note; the note suggests "
                                f"{best.code} (confidence {best.confidence:.2f})"),)
    shown = f"; best suggestion {best.code} (confidence {best.confidence:.2f})" if best else ""
    return (Finding(code="NOTE_SUPPORT_LOW_CONFIDENCE", severity=severity,
                    message=f"diagnosis 1 {principal} is not supported by the note and no suggestion "
                            f"is confident{shown}"),)


def apply_decision(sent: Sequence[Diagnosis], decision: CodingDecision, *, top_suggestion: str | None,
                   codes: Sequence[str] = ()) -> tuple[Diagnosis, ...]:
    """The diagnoses to bill after a coder's decision: the provider's, the provider's with the top
    suggestion as principal (already listed: moved first), or the coder's own codes in order.
    Raise InvalidDecision when the decision cannot apply."""
    if decision is CodingDecision.KEPT_PROVIDER_CODES:
        return tuple(sent)
    if decision is CodingDecision.ACCEPTED_SUGGESTION:
        if top_suggestion is None:
            raise InvalidDecision("the encounter has no suggestion to accept")
        rest = [d for d in sent[1:] if icd10cm.normalize(d.code) != top_suggestion]
        return (Diagnosis(code=top_suggestion), *rest)
    written = [icd10cm.normalize(code) for code in codes if code.strip()]
    if not written:
        raise InvalidDecision("a correction needs at least one diagnosis code")
    not_billable = [code[:10] for code in written if not icd10cm.is_billable(code)]
    if not_billable:
        raise InvalidDecision("not billable ICD-10-CM codes: " + ", ".join(not_billable))
    if len(set(written)) != len(written):
        raise InvalidDecision("a diagnosis code is listed twice")
    return tuple(Diagnosis(code=code) for code in written)


def agrees(billed_principal: str, top_suggestion: str | None) -> bool:
    """A decision agrees with the suggestion when the billed principal diagnosis is the top suggestion."""
    return top_suggestion is not None and icd10cm.normalize(billed_principal) == top_suggestion


@dataclass(frozen=True, slots=True)
class CoderQa:
    coder: str
    decisions: int
    agreed: int  # billed principal diagnosis == top suggestion
    corrections: int  # decisions whose billed diagnoses differ from the provider's
    with_suggestion: int  # decisions on encounters that had a suggestion

    @property
    def agreement_rate(self) -> float | None:
        """Share of decisions with a suggestion that billed it; None without any."""
        return round(self.agreed / self.with_suggestion, 4) if self.with_suggestion else None

    def as_json(self) -> dict:
        return {"coder": self.coder, "decisions": self.decisions, "agreed_with_suggestion": self.agreed,
                "agreement_rate": self.agreement_rate, "corrections": self.corrections}


def coder_qa(decisions: Iterable[dict]) -> list[CoderQa]:
    """Per-coder figures from decision records (`coder`, `agreed_with_suggestion`, `corrected`,
    `top_suggestion`), sorted by coder."""
    tallies: dict[str, list[int]] = {}
    for record in decisions:
        tally = tallies.setdefault(record["coder"], [0, 0, 0, 0])
        tally[0] += 1
        tally[1] += bool(record["agreed_with_suggestion"])
        tally[2] += bool(record["corrected"])
        tally[3] += record.get("top_suggestion") is not None
    return [CoderQa(coder, *tally) for coder, tally in sorted(tallies.items())]
