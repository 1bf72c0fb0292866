"""Claims as X12: the 837P a batch of claims is sent as, and the clearinghouse's answers read back.

Pure: control numbers, the time and the submitter's identity come in as arguments. The codec is
shared/x12; this module decides what of a claim goes where and what an answer means for a claim.

- `encoding_findings(claim)`: what keeps a claim from being written as an 837P at all (no billing
  address, a dependent without the subscriber, ...), as scrub findings.
- `file_batch(claims, ...)`: one 837P interchange for the claims, validated against the guide;
  a claim whose own 837P does not validate is named so it can be held instead of sent.
- `answers(document, batches)`: what a 999 or 277CA says about each claim we sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.events import ClaimAcknowledgement, Finding, SubmittedClaim
from shared.x12 import (
    BillingProvider,
    Claim837,
    ControlNumbers,
    InMemoryControlNumbers,
    PayerAdjudication,
    Person,
    ProfessionalClaim,
    Receiver,
    Submitter,
    TradingPartners,
    UnencodableValue,
    X12Document,
    X12Error,
    read,
    validate,
    write_837p,
)
from shared.x12.models.claim import postal_address

TRANSACTION = "837P"
_MESSAGE_LIMIT = 200  # Finding.message is ShortText


@dataclass(frozen=True, slots=True)
class Submitter837:
    """Who we are to the clearinghouse (ISA06/GS02, loop 1000A) and who receives (ISA08, 1000B)."""

    sender_id: str
    receiver_id: str
    submitter_name: str
    contact_name: str
    contact_phone: str
    receiver_name: str

    @property
    def partners(self) -> TradingPartners:
        return TradingPartners(sender_id=self.sender_id, receiver_id=self.receiver_id)

    @property
    def submitter(self) -> Submitter:
        return Submitter(self.submitter_name, self.sender_id, self.contact_name, self.contact_phone)

    @property
    def receiver(self) -> Receiver:
        return Receiver(self.receiver_name, self.receiver_id)


def professional_claim(claim: SubmittedClaim, prior_payers: tuple[PayerAdjudication, ...] = ()) -> ProfessionalClaim:
    """The claim with what an 837P needs beyond the contract, taken from the claim itself (and, on
    a COB claim, the prior payers' adjudication). Raises UnencodableValue when the claim lacks it
    (the message names the claim, never PHI)."""
    billing = claim.visit.billing
    if billing.address is None:
        raise UnencodableValue(f"claim {claim.claim_id}: the billing provider has no street address")
    if billing.tax_id is None:
        raise UnencodableValue(f"claim {claim.claim_id}: the billing provider has no tax id")
    return ProfessionalClaim(
        claim=claim,
        billing=BillingProvider(
            npi=billing.npi, name=billing.name, tax_id=billing.tax_id, address=postal_address(billing.address),
            taxonomy=billing.taxonomy),
        subscriber=subscriber_of(claim),
        claim_filing_indicator=claim.coverage.claim_filing_indicator,
        prior_payers=prior_payers,
        medical_record_number=None,  # the MRN is PHI and payers do not need it
    )


def subscriber_of(claim: SubmittedClaim) -> Person | None:
    """The coverage's holder when the patient is a dependent (loop 2010BA names them), else None."""
    holder = claim.coverage.subscriber
    if holder is None:
        return None
    return Person(holder.last_name, holder.first_name, holder.birth_date, holder.sex.value)


def to_claim837(claim: SubmittedClaim, prior_payers: tuple[PayerAdjudication, ...] = ()) -> Claim837:
    return professional_claim(claim, prior_payers).to_claim837()


def encoding_findings(claim: SubmittedClaim, prior_payers: tuple[PayerAdjudication, ...] = ()) -> list[Finding]:
    """[] when the claim can be written as an 837P; otherwise one blocking finding saying why."""
    try:
        to_claim837(claim, prior_payers)
    except UnencodableValue as refused:
        return [Finding(code="X12_UNENCODABLE", message=str(refused)[:_MESSAGE_LIMIT])]
    return []


@dataclass(frozen=True, slots=True)
class FiledBatch:
    """An 837P interchange ready to send, and the control numbers it went out under."""

    x12: str
    interchange_control_number: str
    group_control_number: str
    claims_by_set: Mapping[str, tuple[str, ...]]  # ST02 -> claim ids (CLM01) in that set


@dataclass(frozen=True, slots=True)
class Filing:
    batch: FiledBatch | None  # None when no claim could be sent
    held: Mapping[str, list[Finding]]  # claim id -> why its 837P does not validate


def write_batch(claims: Sequence[SubmittedClaim], *, batch_id: str, submitter: Submitter837,
                control_numbers: ControlNumbers, created: datetime,
                prior_payers: Mapping[str, tuple[PayerAdjudication, ...]] | None = None) -> tuple[str, X12Document]:
    prior = prior_payers or {}
    text = write_837p([to_claim837(claim, prior.get(claim.claim_id, ())) for claim in claims],
                      partners=submitter.partners,
                      submitter=submitter.submitter, receiver=submitter.receiver,
                      control_numbers=control_numbers, created=created, reference=batch_id)
    return text, read(text)


def file_batch(claims: Sequence[SubmittedClaim], *, batch_id: str, submitter: Submitter837,
               control_numbers: ControlNumbers, created: datetime,
               prior_payers: Mapping[str, tuple[PayerAdjudication, ...]] | None = None) -> Filing:
    """Write the claims as one 837P (BHT03 = batch id) and validate it against the guide.

    In the rare case the file does not validate, each claim is checked alone and the ones at fault
    come back in `held` with the guide's findings and no batch: write the others again with new
    control numbers. Raises InvalidX12 if every claim validates alone but not together."""
    prior = prior_payers or {}
    text, document = write_batch(claims, batch_id=batch_id, submitter=submitter,
                                 control_numbers=control_numbers, created=created, prior_payers=prior)
    report = validate(document)
    if not report.valid:
        held = {claim.claim_id: findings for claim in claims
                if (findings := _validation_findings(claim, submitter, created, prior.get(claim.claim_id, ())))}
        if not held:
            report.raise_if_invalid()
        return Filing(None, held)
    interchange = document.interchanges[0]
    group = interchange.groups[0]
    claims_by_set = {
        transaction.control_number: tuple(claim.claim_id for claim in transaction.model.claims)
        for transaction in group.transactions
    }
    return Filing(FiledBatch(text, interchange.control_number, group.control_number, claims_by_set), {})


def _validation_findings(claim: SubmittedClaim, submitter: Submitter837, created: datetime,
                        prior: tuple[PayerAdjudication, ...]) -> list[Finding]:
    _, document = write_batch([claim], batch_id="bat_" + "0" * 24, submitter=submitter,
                              control_numbers=InMemoryControlNumbers(), created=created,
                              prior_payers={claim.claim_id: prior})
    return [Finding(code="X12_INVALID", message=str(issue)[:_MESSAGE_LIMIT]) for issue in validate(document).errors]


# --- answers ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentBatch:
    """What claims remembers of a filed batch to read a 999 against it."""

    batch_id: str
    claims_by_set: Mapping[str, tuple[str, ...]]

    def claims_in(self, set_control_number: str) -> tuple[str, ...]:
        for number, claim_ids in self.claims_by_set.items():
            if control_number(number) == control_number(set_control_number):
                return claim_ids
        return ()


def control_number(number: str) -> str:
    """A control number compared as a number: partners may echo "0001" as "1" or the reverse."""
    return number.strip().lstrip("0") or "0"


def answers(document: X12Document,
            sent_by_group: Mapping[str, SentBatch]) -> list[tuple[str, ClaimAcknowledgement]]:
    """(batch id, acknowledgement) for every claim a 999 rejects or a 277CA answers.

    A 999 that accepts a set says nothing about its claims yet (the 277CA will); one that rejects
    it rejects every claim in it, with the IK5 codes. Raises X12Error (ContractMismatch) when a
    999 names a group we never sent or a 277CA names no batch of ours.
    """
    out: list[tuple[str, ClaimAcknowledgement]] = []
    sent_by_group = {control_number(number): sent for number, sent in sent_by_group.items()}
    for acknowledgement in document.acknowledgements():
        sent = sent_by_group.get(control_number(acknowledgement.group_control_number))
        if sent is None:
            raise UnknownGroup(f"a 999 answers group {acknowledgement.group_control_number}, which we did not send")
        for verdict in acknowledgement.transactions:
            if verdict.accepted:
                continue
            codes = ("X12_999_" + verdict.status, *("IK5_" + code for code in verdict.error_codes))
            out.extend((sent.batch_id, ClaimAcknowledgement(claim_id=claim_id, accepted=False, status_codes=codes))
                       for claim_id in sent.claims_in(verdict.control_number))
    for report in document.claim_status_reports():
        batch = report.to_batch_event()
        out.extend((batch.batch_id, acknowledgement) for acknowledgement in batch.acknowledgements)
    return out


def groups_answered(document: X12Document) -> Iterable[str]:
    """The GS06 of every group of ours a 999 in `document` answers, compared as numbers."""
    return (control_number(acknowledgement.group_control_number) for acknowledgement in document.acknowledgements())


class UnknownGroup(X12Error):
    code = "unknown_group"
