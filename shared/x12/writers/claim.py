"""What 837P and 837I share: header, billing provider, subscriber, patient, payer and COB loops.

The professional and institutional writers add their CLM, HI, provider and service line segments.
Loops are written in implementation-guide order so that strict validators (pyx12 among them) can
follow them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.x12.control_numbers import ControlNumbers
from shared.x12.errors import UnencodableValue
from shared.x12.gc_pause import collector_paused
from shared.x12.models.claim import (
    BillingProvider,
    Claim837,
    ClaimProvider,
    InstitutionalClaim,
    LineAdjudication,
    PayerAdjudication,
    Person,
    ProfessionalClaim,
    Receiver,
    Submitter,
)
from shared.x12.models.common import CasAdjustment, PostalAddress
from shared.x12.separators import DEFAULT, Separators
from shared.x12.values import format_amount, format_date, format_time
from shared.x12.writers.segments import (
    SegmentWriter,
    TradingPartners,
    write_interchange,
)

CLAIMS_PER_TRANSACTION_SET = 5000  # the 837 guides recommend at most 5000 CLM per ST/SE


class ClaimSetWriter:
    """Writes the inside of one 837 transaction set. Subclasses supply the claim-type specifics."""

    version = ""

    def __init__(self, writer: SegmentWriter) -> None:
        self.w = writer
        self.add = writer.add
        self.clean = writer.clean
        # for the segments every claim has, formatted directly rather than through `add`
        self.e = writer.element
        self.segments = writer.segments

    # --- hooks -------------------------------------------------------------------------------

    def claim_header(self, claim: Claim837) -> None:
        raise NotImplementedError

    def diagnoses(self, claim: Claim837) -> None:
        raise NotImplementedError

    def claim_providers(self, claim: Claim837) -> None:
        raise NotImplementedError

    def service_line(self, claim: Claim837, index: int) -> None:
        raise NotImplementedError

    def line_adjudication(self, result: LineAdjudication, payer_id: str, claim: Claim837, index: int) -> None:
        raise NotImplementedError

    # --- shared loops --------------------------------------------------------------------------

    def write(
        self, claims: Sequence[Claim837], submitter: Submitter, receiver: Receiver, reference: str, created: datetime
    ) -> None:
        add, clean = self.add, self.clean
        add(
            "BHT",
            "0019",
            "00",
            clean(reference, "BHT03 reference"),
            format_date(created.date()),
            format_time(created),
            "CH",
        )
        clean(submitter.name + submitter.identifier + submitter.contact_name + submitter.phone, "submitter")
        add("NM1", "41", "2", submitter.name, "", "", "", "", "46", submitter.identifier)
        add("PER", "IC", submitter.contact_name, "TE", submitter.phone)
        clean(receiver.name + receiver.identifier, "receiver")
        add("NM1", "40", "2", receiver.name, "", "", "", "", "46", receiver.identifier)
        by_billing: dict[BillingProvider, list[Claim837]] = {}
        for claim in claims:
            by_billing.setdefault(claim.billing, []).append(claim)
        hierarchy = 0
        for billing, billed_claims in by_billing.items():
            hierarchy += 1
            billing_level = str(hierarchy)
            add("HL", billing_level, "", "20", "1")
            self.billing_provider(billing)
            for claim in billed_claims:
                hierarchy += 1
                subscriber_level = str(hierarchy)
                e = self.e
                children = "1" if claim.patient is not None else "0"
                self.segments.append(f"HL{e}{subscriber_level}{e}{billing_level}{e}22{e}{children}")
                self.subscriber(claim)
                if claim.patient is not None:
                    hierarchy += 1
                    add("HL", str(hierarchy), subscriber_level, "23", "0")
                    add("PAT", clean(claim.patient_relationship, "PAT01"))
                    self.person("QC", claim.patient, None, "patient")
                self.claim(claim)

    def billing_provider(self, billing: BillingProvider) -> None:
        add = self.add
        self.clean(billing.npi + billing.name + billing.tax_id + (billing.taxonomy or ""), "billing provider")
        if billing.taxonomy:
            add("PRV", "BI", "PXC", billing.taxonomy)
        add("NM1", "85", "2", billing.name, "", "", "", "", "XX", billing.npi)
        self.address(billing.address, "billing provider address")
        add("REF", "EI", billing.tax_id)
        if billing.pay_to_address is not None:
            add("NM1", "87", "2")
            self.address(billing.pay_to_address, "pay-to address")

    def address(self, address: PostalAddress, what: str) -> None:
        line2 = address.line2 or ""
        self.clean(address.line1 + line2 + address.city + address.state + address.postal_code, what)
        e = self.e
        self.segments.append(f"N3{e}{address.line1}{e}{line2}" if line2 else f"N3{e}{address.line1}")
        self.segments.append(f"N4{e}{address.city}{e}{address.state}{e}{address.postal_code}".rstrip(e))

    def person(self, entity: str, person: Person, member_id: str | None, what: str) -> None:
        """NM1 (+ N3, N4, DMG) of a subscriber or patient."""
        first = person.first_name or ""
        self.clean(person.last_name + first + (member_id or ""), what)
        e = self.e
        if member_id is None:
            self.segments.append(f"NM1{e}{entity}{e}1{e}{person.last_name}{e}{first}".rstrip(e))
        else:
            self.segments.append(f"NM1{e}{entity}{e}1{e}{person.last_name}{e}{first}{e}{e}{e}{e}MI{e}{member_id}")
        if person.address is not None:
            self.address(person.address, what + " address")
        if person.birth_date is not None:
            sex = self.clean(person.sex or "U", what + " sex")
            self.segments.append(f"DMG{e}D8{e}{format_date(person.birth_date)}{e}{sex}")

    def subscriber(self, claim: Claim837) -> None:
        subscriber = claim.subscriber
        self.clean(
            subscriber.payer_responsibility + (subscriber.group_number or "") + subscriber.claim_filing_indicator, "SBR"
        )
        relationship = "18" if claim.patient is None else ""
        self.add(
            "SBR",
            subscriber.payer_responsibility,
            relationship,
            subscriber.group_number or "",
            "",
            "",
            "",
            "",
            "",
            subscriber.claim_filing_indicator,
        )
        self.person("IL", subscriber.person, subscriber.member_id, "subscriber")
        payer = claim.payer
        self.clean(payer.name + payer.payer_id, "payer")
        self.add("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.payer_id)
        if payer.address is not None:
            self.address(payer.address, "payer address")

    def claim(self, claim: Claim837) -> None:
        add = self.add
        self.claim_header(claim)
        if claim.payer_claim_number:
            add("REF", "F8", self.clean(claim.payer_claim_number, "REF*F8 payer claim number"))
        if claim.medical_record_number:
            add("REF", "EA", self.clean(claim.medical_record_number, "REF*EA medical record number"))
        self.diagnoses(claim)
        self.claim_providers(claim)
        for prior in claim.prior_payers:
            self.prior_payer(prior)
        for index in range(len(claim.lines)):
            self.service_line(claim, index)
            line_number = claim.lines[index].line_number
            for prior in claim.prior_payers:
                for result in prior.lines:
                    if result.line_number == line_number:
                        self.line_adjudication(result, prior.payer_id, claim, index)

    def provider(self, entity: str, specialty: str | None, provider: ClaimProvider) -> None:
        """NM1 (+ PRV) of a rendering or attending provider."""
        first = provider.first_name or ""
        self.clean(provider.npi + provider.last_name + first + (provider.taxonomy or ""), "provider")
        self.add(
            "NM1", entity, "1" if provider.is_person else "2", provider.last_name, first, "", "", "", "XX", provider.npi
        )
        if provider.taxonomy and specialty:
            self.add("PRV", specialty, "PXC", provider.taxonomy)

    def adjustments(self, adjustments: Sequence[CasAdjustment]) -> None:
        """CAS segments: consecutive adjustments of one group share a segment, six at most."""
        run: list[str] = []
        group = ""
        for adjustment in adjustments:
            if adjustment.group != group or len(run) == 18:
                if run:
                    self.add("CAS", group, *run)
                group, run = adjustment.group, []
            quantity = format_amount(adjustment.quantity) if adjustment.quantity is not None else ""
            run += [self.clean(adjustment.reason, "CAS reason code"), format_amount(adjustment.amount), quantity]
        if run:
            self.add("CAS", self.clean(group, "CAS group code"), *run)

    def prior_payer(self, prior: PayerAdjudication) -> None:
        add, clean = self.add, self.clean
        clean(
            prior.responsibility + prior.relationship + (prior.group_number or "") + prior.claim_filing_indicator,
            "2320 SBR",
        )
        add(
            "SBR",
            prior.responsibility,
            prior.relationship,
            prior.group_number or "",
            "",
            "",
            "",
            "",
            "",
            prior.claim_filing_indicator,
        )
        self.adjustments(prior.adjustments)
        add("AMT", "D", format_amount(prior.paid))
        if prior.remaining_patient_liability is not None:
            add("AMT", "EAF", format_amount(prior.remaining_patient_liability))
        add("OI", "", "", "Y", "", "", "Y")
        self.person(
            "IL", Person(prior.subscriber.last_name, prior.subscriber.first_name), prior.member_id, "other subscriber"
        )
        clean(prior.payer_name + prior.payer_id, "other payer")
        add("NM1", "PR", "2", prior.payer_name, "", "", "", "", "PI", prior.payer_id)
        if prior.adjudication_date is not None:
            add("DTP", "573", "D8", format_date(prior.adjudication_date))
        if prior.payer_claim_number:
            add("REF", "F8", clean(prior.payer_claim_number, "other payer claim number"))

    def line_adjudication_tail(self, result: LineAdjudication) -> None:
        self.adjustments(result.adjustments)
        self.add("DTP", "573", "D8", format_date(result.adjudication_date))
        if result.remaining_patient_liability is not None:
            self.add("AMT", "EAF", format_amount(result.remaining_patient_liability))

    def procedure(self, qualifier: str, code: str, modifiers: Sequence[str]) -> str:
        """The composite procedure element (e.g. HC:99213:25), with up to four modifiers."""
        if len(modifiers) > 4:
            raise UnencodableValue("a service line has more than four modifiers")
        self.clean(qualifier + code + "".join(modifiers), "procedure code or modifier")
        return self.w.composite(qualifier, code, *modifiers)


def to_wire(claim: Claim837 | ProfessionalClaim | InstitutionalClaim) -> Claim837:
    return claim if isinstance(claim, Claim837) else claim.to_claim837()


def write_claims(
    writer_class: type[ClaimSetWriter],
    claims: Sequence[Claim837 | ProfessionalClaim | InstitutionalClaim],
    *,
    partners: TradingPartners,
    submitter: Submitter,
    receiver: Receiver,
    control_numbers: ControlNumbers,
    created: datetime,
    reference: str | None,
    separators: Separators = DEFAULT,
    claims_per_set: int = CLAIMS_PER_TRANSACTION_SET,
) -> str:
    """One 837 interchange of `claims`, `claims_per_set` to a transaction set."""
    if not claims:
        raise UnencodableValue("an 837 needs at least one claim")
    with collector_paused():  # tens of thousands of short-lived models and strings; see gc_pause
        wire = [to_wire(claim) for claim in claims]
        return _write_claims(
            writer_class,
            wire,
            partners,
            submitter,
            receiver,
            control_numbers,
            created,
            reference,
            separators,
            claims_per_set,
        )


def _write_claims(
    writer_class: type[ClaimSetWriter],
    claims: list[Claim837],
    partners: TradingPartners,
    submitter: Submitter,
    receiver: Receiver,
    control_numbers: ControlNumbers,
    created: datetime,
    reference: str | None,
    separators: Separators,
    claims_per_set: int,
) -> str:
    chunks = [claims[start : start + claims_per_set] for start in range(0, len(claims), claims_per_set)]

    def body_for(chunk: Sequence[Claim837]):
        def body(writer: SegmentWriter, control_number: str) -> None:
            writer_class(writer).write(chunk, submitter, receiver, reference or control_number, created)

        return body

    return write_interchange(
        set_id="837",
        functional_id="HC",
        version=writer_class.version,
        bodies=[body_for(chunk) for chunk in chunks],
        partners=partners,
        control_numbers=control_numbers,
        created=created,
        separators=separators,
    )
