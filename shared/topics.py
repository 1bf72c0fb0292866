"""Every topic, declared once: name, payload model, Kafka key, partitions and retention.

Names follow `rcm.<entity>.<fact>.v<N>`. The key is always an opaque id (claim, encounter, batch or
remittance id), never PHI, so all events of one claim keep their order in one partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from shared import events as ev

P = TypeVar("P", bound=BaseModel)

SERVICES = ("registration", "coding", "claims", "payments", "denials")
# Processes beside the five services that also consume topics and so have dead-letter topics.
OTHER_CONSUMERS = ("dashboard", "simulator")

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class Topic(Generic[P]):
    name: str
    payload: type[P]
    key: str  # payload attribute whose value is the Kafka key
    description: str
    partitions: int = 6
    retention_days: int = 7

    @property
    def event_type(self) -> str:
        """'rcm.claim.denied.v1' -> 'claim.denied'."""
        return self.name.split(".", 1)[1].rsplit(".", 1)[0]

    @property
    def retention_ms(self) -> int:
        return self.retention_days * DAY_MS

    def key_of(self, payload: BaseModel) -> str:
        """The Kafka key of `payload`: an opaque id, or '' when it has none (e.g. an unreadable message)."""
        value = getattr(payload, self.key)
        return "" if value is None else str(value)


REGISTRATION_REQUESTED = Topic(
    "rcm.registration.requested.v1", ev.RegistrationRequested, "source_message_id",
    "A visit from an EHR feed, to be registered.")
ENCOUNTER_REGISTERED = Topic(
    "rcm.encounter.registered.v1", ev.EncounterRegistered, "encounter_id",
    "A registered encounter, ready for coding.")
ENCOUNTER_CODED = Topic(
    "rcm.encounter.coded.v1", ev.EncounterCoded, "encounter_id",
    "Validated codes and priced charge lines, ready for a claim.")
ENCOUNTER_HELD_FOR_CODING = Topic(
    "rcm.encounter.held-for-coding.v1", ev.EncounterHeldForCoding, "encounter_id",
    "An encounter parked in the coding review queue, with the findings.")
CLAIM_STATUS_CHANGED = Topic(
    "rcm.claim.status-changed.v1", ev.ClaimStatusChanged, "claim_id",
    "Every claim lifecycle transition, versioned per claim.")
CLAIM_BATCH_SUBMITTED = Topic(
    "rcm.claim.batch-submitted.v1", ev.ClaimBatchSubmitted, "batch_id",
    "A batch of claims sent to the clearinghouse.", retention_days=30)
CLEARINGHOUSE_ACKNOWLEDGED = Topic(
    "rcm.clearinghouse.acknowledged.v1", ev.ClearinghouseAcknowledged, "batch_id",
    "The clearinghouse's acceptance or rejection of each claim of a batch (999/277CA).")
REMITTANCE_RECEIVED = Topic(
    "rcm.remittance.received.v1", ev.RemittanceReceived, "remittance_id",
    "A payer's remittance advice (835).", retention_days=30)
PAYMENT_POSTED = Topic(
    "rcm.payment.posted.v1", ev.PaymentPosted, "claim_id",
    "A remittance claim posted to its claim: paid, adjusted, patient responsibility.")
CLAIM_DENIED = Topic(
    "rcm.claim.denied.v1", ev.ClaimDenied, "claim_id",
    "A claim or some of its lines denied by the payer.")
DENIAL_WORKED = Topic(
    "rcm.denial.worked.v1", ev.DenialWorked, "claim_id",
    "What was decided for a denial: resubmit, appeal or write off.")
CLAIM_RESUBMIT_REQUESTED = Topic(
    "rcm.claim.resubmit-requested.v1", ev.ClaimResubmitRequested, "claim_id",
    "Denials asks claims for a corrected claim (frequency 7).")
AUDIT = Topic(
    "rcm.audit.v1", ev.AuditRecorded, "subject_id",
    "Who read or changed PHI or worked an item.", retention_days=365)
ELIGIBILITY_REQUESTED = Topic(
    "rcm.eligibility.requested.v1", ev.EligibilityRequested, "inquiry_id",
    "Registration asks a payer about a patient's coverage (270).")
ELIGIBILITY_RESPONDED = Topic(
    "rcm.eligibility.responded.v1", ev.EligibilityResponded, "inquiry_id",
    "The payer's answer to an eligibility inquiry (271).")
ENCOUNTER_HELD_FOR_ELIGIBILITY = Topic(
    "rcm.encounter.held-for-eligibility.v1", ev.EncounterHeldForEligibility, "encounter_id",
    "An encounter parked in registration's work queue: coverage not verified active.")

FLOW: tuple[Topic, ...] = (
    REGISTRATION_REQUESTED,
    ENCOUNTER_REGISTERED,
    ENCOUNTER_CODED,
    ENCOUNTER_HELD_FOR_CODING,
    CLAIM_STATUS_CHANGED,
    CLAIM_BATCH_SUBMITTED,
    CLEARINGHOUSE_ACKNOWLEDGED,
    REMITTANCE_RECEIVED,
    PAYMENT_POSTED,
    CLAIM_DENIED,
    DENIAL_WORKED,
    CLAIM_RESUBMIT_REQUESTED,
    AUDIT,
    ELIGIBILITY_REQUESTED,
    ELIGIBILITY_RESPONDED,
    ENCOUNTER_HELD_FOR_ELIGIBILITY,
)


def dead_letter_topic(service: str) -> Topic[ev.DeadLetter]:
    """The dead-letter topic of a service: rcm.dlq.<service>.v1, keyed by the original key."""
    return Topic(f"rcm.dlq.{service}.v1", ev.DeadLetter, "original_key",
                 f"Messages {service} could not use, with the reason.", partitions=1, retention_days=30)


DEAD_LETTERS: tuple[Topic, ...] = tuple(dead_letter_topic(s) for s in SERVICES + OTHER_CONSUMERS)
ALL: tuple[Topic, ...] = FLOW + DEAD_LETTERS
_BY_NAME = {topic.name: topic for topic in ALL}


def by_name(name: str) -> Topic:
    """The declared topic called `name`; KeyError if there is none."""
    return _BY_NAME[name]
