"""Claims rules: open a claim for a coded encounter, scrub it, submit it in batches and follow it
through acknowledgement, adjudication and denial work. Pure: ids and dates come in as arguments;
functions return new values and the events to emit, never save or publish."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from services.claims import edi, secondary
from services.claims.lifecycle import ClaimsError, check_transition
from services.claims.checks import ClaimChecks
from shared.events import (
    ClaimAcknowledgement, ClaimBatchFiled, ClaimResubmitRequested, ClaimSecondaryRequested, ClaimStatus as S, ClaimStatusChanged, CoverageOrder,
    DenialAction, DenialWorked, EncounterCoded, FiledClaim, Finding, FrequencyCode, PaymentOutcome, PaymentPosted,
    SubmittedClaim,
)
from shared.ids import patient_id_for, stable_id
from shared.money import total
from shared.x12 import PayerAdjudication


class NotYet(ClaimsError):
    """The fact arrived before the one it follows (topics are not ordered with each other);
    the handler keeps it and applies it after the claim moves."""

    code = "NOT_YET"


@dataclass(frozen=True, slots=True)
class Claim:
    claim_id: str
    tenant_id: str
    status: S
    version: int
    content: SubmittedClaim  # what is (or will be) sent to the payer
    cob: ClaimSecondaryRequested | None = None  # on a COB claim: the prior payer's adjudication
    assignee: str | None = None  # the person working it in the claims queue (a token's subject)
    revision: int = 0  # every change, status or not; a person's action names the revision it saw
    findings: tuple[Finding, ...] = ()  # why it is in its status (scrub edits, 277CA codes); no PHI

    @property
    def prior_payers(self) -> tuple[PayerAdjudication, ...]:
        """The prior payer's adjudication an 837 carries in 2320/2330/2430 (empty on a primary claim)."""
        if self.cob is None:
            return ()
        content = self.content
        primary = content.model_copy(update={
            "claim_id": self.cob.claim_id, "coverage": content.other_coverages[0],
            "other_coverages": (content.coverage, *content.other_coverages[1:])})
        return secondary.secondary_claim(primary, self.cob, claim_id=self.claim_id,
                                         primary_subscriber=edi.subscriber_of(primary))[1]

    @property
    def encounter_id(self) -> str:
        return self.content.encounter_id

    @property
    def billed(self):
        return self.content.total_charge

    @property
    def payer_id(self) -> str:
        return self.content.coverage.payer_id


@dataclass(frozen=True, slots=True)
class Outcome:
    """A claim after a decision, and the status changes to emit (oldest first)."""

    claim: Claim
    changes: tuple[ClaimStatusChanged, ...] = ()


def _move(claim: Claim, to: S, findings: Sequence[Finding] = ()) -> tuple[Claim, ClaimStatusChanged]:
    check_transition(claim.claim_id, claim.status, to)
    moved = replace(claim, status=to, version=claim.version + 1, revision=claim.revision + 1, findings=tuple(findings))
    return moved, _status_event(moved, previous=claim.status, findings=findings)


def move(claim: Claim, to: S, findings: Sequence[Finding] = ()) -> Outcome:
    """The claim in status `to`, with its status event; raise IllegalTransition if the lifecycle forbids it."""
    moved, change = _move(claim, to, findings)
    return Outcome(moved, (change,))


def _status_event(claim: Claim, *, previous: S | None, findings: Sequence[Finding] = ()) -> ClaimStatusChanged:
    return ClaimStatusChanged(
        claim_id=claim.claim_id, encounter_id=claim.encounter_id, version=claim.version, status=claim.status,
        previous_status=previous, payer_id=claim.payer_id, billed=claim.billed,
        frequency_code=claim.content.frequency_code, findings=tuple(findings),
        coverage_order=claim.content.coverage.order)


def claim_content(coded: EncounterCoded, *, claim_id: str) -> SubmittedClaim:
    """The original claim (frequency 1) for a coded encounter, billed to the primary coverage."""
    return SubmittedClaim(
        claim_id=claim_id, encounter_id=coded.encounter_id, frequency_code=FrequencyCode.ORIGINAL,
        patient=coded.patient, coverage=coded.coverages[0], other_coverages=coded.coverages[1:],
        visit=coded.visit, diagnoses=coded.diagnoses,
        lines=coded.lines, total_charge=total(line.charge for line in coded.lines))


def open_claim(coded: EncounterCoded, *, claim_id: str, tenant_id: str, today: date,
               checks: ClaimChecks | None = None) -> Outcome:
    """A new claim (frequency 1, billed to the primary coverage), scrubbed at once: `scrubbed`
    when no edit blocks it, `scrub_failed` (work queue) otherwise."""
    content = claim_content(coded, claim_id=claim_id)
    created = Claim(claim_id=claim_id, tenant_id=tenant_id, status=S.CREATED, version=1, content=content)
    scrubbed = scrub_claim(created, today, checks)
    return Outcome(scrubbed.claim, (_status_event(created, previous=None), *scrubbed.changes))


def secondary_claim_id(primary_claim_id: str) -> str:
    """The COB claim's id: stable per primary claim, so the same request never opens two."""
    return stable_id("clm", primary_claim_id, "cob")


def open_secondary(primary: Claim, request: ClaimSecondaryRequested, *, claim_id: str, today: date,
                   checks: ClaimChecks | None = None) -> Outcome:
    """The COB claim to the next payer after `primary` left a balance: an original (frequency 1)
    with its own claim id, carrying the primary's adjudication, scrubbed at once."""
    if primary.status not in (S.PAID, S.PARTIALLY_PAID, S.DENIED, S.APPEALED, S.WRITTEN_OFF, S.CLOSED):
        raise NotYet(f"claim {primary.claim_id} is {primary.status}; the secondary claim follows its adjudication")
    content, _ = secondary.secondary_claim(primary.content, request, claim_id=claim_id,
                                           primary_subscriber=edi.subscriber_of(primary.content))
    created = Claim(claim_id=claim_id, tenant_id=primary.tenant_id, status=S.CREATED, version=1, content=content,
                    cob=request)
    scrubbed = scrub_claim(created, today, checks)
    return Outcome(scrubbed.claim, (_status_event(created, previous=None), *scrubbed.changes))


def scrub_claim(claim: Claim, today: date, checks: ClaimChecks | None = None) -> Outcome:
    findings = (checks or ClaimChecks()).findings(claim.content, today, claim.prior_payers)
    blocked = any(finding.severity == "error" for finding in findings)
    moved, change = _move(claim, S.SCRUB_FAILED if blocked else S.SCRUBBED, findings)
    return Outcome(moved, (change,))


def submit(claims: Sequence[Claim], filed: edi.FiledBatch, *, batch_id: str) -> tuple[list[Outcome], ClaimBatchFiled]:
    """Move scrubbed claims to `submitted` and return the batch event carrying their 837P."""
    outcomes = []
    for claim in claims:
        moved, change = _move(claim, S.SUBMITTED)
        outcomes.append(Outcome(moved, (change,)))
    batch = ClaimBatchFiled(
        batch_id=batch_id, transaction=edi.TRANSACTION,
        interchange_control_number=filed.interchange_control_number,
        group_control_number=filed.group_control_number,
        claims=tuple(_filed(o.claim) for o in outcomes),
        claim_count=len(outcomes), total_charge=total(o.claim.billed for o in outcomes), x12=filed.x12)
    return outcomes, batch


def _filed(claim: Claim) -> FiledClaim:
    content = claim.content
    return FiledClaim(
        claim_id=claim.claim_id, encounter_id=claim.encounter_id, payer_id=claim.payer_id,
        frequency_code=content.frequency_code, total_charge=claim.billed,
        patient_id=patient_id_for(claim.tenant_id, content.patient.mrn),
        has_secondary=any(_ORDER.index(other.order) > _ORDER.index(content.coverage.order)
                          for other in content.other_coverages))


_ORDER = (CoverageOrder.PRIMARY, CoverageOrder.SECONDARY, CoverageOrder.TERTIARY)


def hold_unfileable(claim: Claim, findings: Sequence[Finding]) -> Outcome:
    """A scrubbed claim whose 837P does not validate goes to the work queue instead of the payer."""
    moved, change = _move(claim, S.SCRUB_FAILED, findings)
    return Outcome(moved, (change,))


def acknowledge(claim: Claim, ack: ClaimAcknowledgement) -> Outcome:
    """Apply the clearinghouse's 999/277CA answer. An answer for a claim already past `submitted`
    (the 835 was read first, or a re-sent acknowledgement) changes nothing."""
    if claim.status is not S.SUBMITTED:
        return Outcome(claim)
    if ack.accepted:
        content = claim.content
        if ack.payer_claim_number and not content.payer_claim_number:
            content = content.model_copy(update={"payer_claim_number": ack.payer_claim_number})
        moved, change = _move(replace(claim, content=content), S.ACCEPTED)
    else:
        findings = [Finding(code=code, message=f"clearinghouse status {code}") for code in ack.status_codes]
        moved, change = _move(claim, S.REJECTED, findings)
    return Outcome(moved, (change,))


_OUTCOME_STATUS = {
    PaymentOutcome.PAID: S.PAID,
    PaymentOutcome.PARTIALLY_PAID: S.PARTIALLY_PAID,
    PaymentOutcome.DENIED: S.DENIED,
}


def adjudicate(claim: Claim, posted: PaymentPosted) -> Outcome:
    """Apply a posted remittance claim: paid, partially paid or denied."""
    if posted.outcome is PaymentOutcome.REVERSED:
        return Outcome(claim)  # the correction that follows a reversal carries the new outcome
    moved, change = _move(claim, _OUTCOME_STATUS[posted.outcome])
    return Outcome(moved, (change,))


def work_denial(claim: Claim, worked: DenialWorked) -> Outcome:
    """Appeal or write off a denied (or partially paid) claim. Resubmission comes as its own request."""
    if worked.action is DenialAction.RESUBMIT:
        return Outcome(claim)
    if worked.by_person and claim.status is S.APPEALED:
        if worked.action is DenialAction.APPEAL:
            return Outcome(claim)  # the rules sent it to appeal already; the person filed the letter
        moved, change = _move(claim, S.WRITTEN_OFF)
        return Outcome(moved, (change,))
    if claim.status not in (S.DENIED, S.PARTIALLY_PAID):
        raise NotYet(f"claim {claim.claim_id} is {claim.status}; the denial work follows its adjudication")
    moved, change = _move(claim, S.APPEALED if worked.action is DenialAction.APPEAL else S.WRITTEN_OFF)
    return Outcome(moved, (change,))


def correct(claim: Claim, request: ClaimResubmitRequested, today: date, checks: ClaimChecks | None = None) -> Outcome:
    """A replacement claim (frequency 7, REF*F8 payer claim number), scrubbed again. When a person
    already sent the replacement from the claims queue, with its changes, the request changes nothing."""
    content = claim.content
    if (claim.status not in (S.DENIED, S.APPEALED) and content.frequency_code is FrequencyCode.REPLACEMENT
            and content.payer_claim_number == request.payer_claim_number):
        return Outcome(claim)
    if claim.status not in (S.DENIED, S.APPEALED):  # an appealed denial a person chose to correct instead
        if claim.status in (S.SUBMITTED, S.ACCEPTED):
            raise NotYet(f"claim {claim.claim_id} is {claim.status}; the correction follows its denial")
        raise ClaimsError(f"claim {claim.claim_id} is {claim.status} and cannot be corrected", code="NOT_CORRECTABLE")
    content = claim.content.model_copy(update={
        "frequency_code": FrequencyCode.REPLACEMENT, "payer_claim_number": request.payer_claim_number})
    corrected, change = _move(replace(claim, content=content), S.CORRECTED)
    scrubbed = scrub_claim(corrected, today, checks)
    return Outcome(scrubbed.claim, (change, *scrubbed.changes))
