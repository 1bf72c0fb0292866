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
CLAIM_SCRUB_FAILED = Topic(
    "rcm.claim.scrub-failed.v1", ev.ClaimScrubFailed, "claim_id",
    "A claim the scrubber stopped before submission, with its edits (rule, category, severity).")
CLAIM_BATCH_SUBMITTED = Topic(
    "rcm.claim.batch-submitted.v2", ev.ClaimBatchFiled, "batch_id",
    "An 837P batch sent to the clearinghouse: the X12 text and which claims it carries.", retention_days=30)
CLEARINGHOUSE_ACKNOWLEDGED = Topic(
    "rcm.clearinghouse.acknowledged.v2", ev.X12FileReceived, "file_id",
    "The clearinghouse's answer to a batch, as X12: a 999 (syntax) or a 277CA (claim acceptance).",
    retention_days=30)
REMITTANCE_RECEIVED = Topic(
    "rcm.remittance.received.v2", ev.X12FileReceived, "file_id",
    "A payer's remittance advice, as an X12 835 file.", retention_days=30)
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
PROVIDER_ADJUSTMENT_POSTED = Topic(
    "rcm.provider-adjustment.posted.v1", ev.ProviderAdjustmentPosted, "remittance_id",
    "A PLB amount (interest, recoupment, forward balance) posted to the provider's account.")
REMITTANCE_HELD = Topic(
    "rcm.remittance.held.v1", ev.RemittanceHeld, "remittance_id",
    "An 835 that does not balance to the cent, held for review with the difference.")
UNDERPAYMENT_OPENED = Topic(
    "rcm.underpayment.opened.v1", ev.UnderpaymentOpened, "claim_id",
    "A line paid below the payer contract's expected amount, for follow-up.")
CLAIM_SECONDARY_REQUESTED = Topic(
    "rcm.claim.secondary-requested.v1", ev.ClaimSecondaryRequested, "claim_id",
    "Payments asks claims for a COB claim to the secondary payer after the primary paid.")
PATIENT_BALANCE_CHANGED = Topic(
    "rcm.patient.balance-changed.v1", ev.PatientBalanceChanged, "patient_id",
    "A patient's balance moved: a charge left by insurance, a reversal, or a patient payment.")
PATIENT_STATEMENT_ISSUED = Topic(
    "rcm.patient.statement-issued.v1", ev.PatientStatementIssued, "patient_id",
    "A statement was produced for a patient balance.")
AUDIT = Topic(
    "rcm.audit.v1", ev.AuditRecorded, "subject_id",
    "Who read or changed PHI or worked an item.", retention_days=365)
CODING_REVIEW_DECIDED = Topic(
    "rcm.coding.review-decided.v1", ev.CodingReviewDecided, "encounter_id",
    "A coder's decision on an encounter in the coding review queue (for coder QA).")
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
    CLAIM_SCRUB_FAILED,
    CLAIM_BATCH_SUBMITTED,
    CLEARINGHOUSE_ACKNOWLEDGED,
    REMITTANCE_RECEIVED,
    PAYMENT_POSTED,
    CLAIM_DENIED,
    DENIAL_WORKED,
    CLAIM_RESUBMIT_REQUESTED,
    AUDIT,
    CODING_REVIEW_DECIDED,
    PROVIDER_ADJUSTMENT_POSTED,
    REMITTANCE_HELD,
    UNDERPAYMENT_OPENED,
    CLAIM_SECONDARY_REQUESTED,
    PATIENT_BALANCE_CHANGED,
    PATIENT_STATEMENT_ISSUED,
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


# What each process writes to its outbox, and so publishes: declared here once. deploy/generate.py
# grants Kafka Write from it, docs/asyncapi/generate.py documents it, and outbox_document refuses a
# row on any other topic for a declared producer (besides its own dead-letter topic), so a process
# can never write what its ACL would refuse. Every service's API audits on rcm.audit.v1. The feed
# gateway runs registration's code and produces as registration.
EMITS: dict[str, tuple[Topic, ...]] = {
    "registration": (REGISTRATION_REQUESTED, ENCOUNTER_REGISTERED, ELIGIBILITY_REQUESTED,
                     ENCOUNTER_HELD_FOR_ELIGIBILITY, AUDIT),
    "coding": (ENCOUNTER_CODED, ENCOUNTER_HELD_FOR_CODING, CODING_REVIEW_DECIDED, AUDIT),
    "claims": (CLAIM_STATUS_CHANGED, CLAIM_SCRUB_FAILED, CLAIM_BATCH_SUBMITTED, AUDIT),
    "payments": (PAYMENT_POSTED, CLAIM_DENIED, PROVIDER_ADJUSTMENT_POSTED, REMITTANCE_HELD, UNDERPAYMENT_OPENED,
                 CLAIM_SECONDARY_REQUESTED, PATIENT_BALANCE_CHANGED, PATIENT_STATEMENT_ISSUED, AUDIT),
    "denials": (DENIAL_WORKED, CLAIM_RESUBMIT_REQUESTED, AUDIT),
    "dashboard": (),
    "simulator": (CLEARINGHOUSE_ACKNOWLEDGED, REMITTANCE_RECEIVED, ELIGIBILITY_RESPONDED),
}


class UndeclaredTopic(ValueError):
    """A process writing a topic it does not declare in EMITS."""


def emits(process: str) -> tuple[Topic, ...]:
    """The flow topics `process` publishes (its dead-letter topic aside), in name order."""
    return tuple(sorted(EMITS[process], key=lambda topic: topic.name))


def check_declared(producer: str, topic: Topic) -> None:
    """Raise UndeclaredTopic if `producer` is a declared process and `topic` is neither one it
    declares nor its dead-letter topic. Other producers (tools, tests) are not checked."""
    declared = EMITS.get(producer)
    if declared is None or topic in declared or topic.name == f"rcm.dlq.{producer}.v1":
        return
    raise UndeclaredTopic(f"{producer} writes {topic.name}, which shared/topics.py EMITS does not declare for it")


def by_name(name: str) -> Topic:
    """The declared topic called `name`; KeyError if there is none."""
    return _BY_NAME[name]
