"""837P and 837I reader: a ClaimBatch of Claim837, the same shape the writers take."""

from __future__ import annotations

from datetime import datetime

from shared.x12.envelope import TransactionSet
from shared.x12.errors import MappingError
from shared.x12.models.claim import (
    BillingProvider,
    Claim837,
    ClaimBatch,
    ClaimPayer,
    ClaimProvider,
    InstitutionalDetails,
    LineAdjudication,
    OccurrenceCode,
    PayerAdjudication,
    Person,
    Receiver,
    ServiceLine,
    Submitter,
    Subscriber,
    ValueCode,
)
from shared.x12.models.common import PostalAddress
from shared.x12.readers.mapping import run
from shared.x12.readers.remittance import adjustments_of
from shared.x12.values import (
    is_time,
    small_whole,
    amount,
    elements,
    integer,
    number,
    parse_date,
    parse_period,
)


class _ClaimReader:
    def __init__(self, transaction: TransactionSet) -> None:
        self.transaction = transaction
        self.component = transaction.separators.component
        self.institutional = "X223" in transaction.version
        self.bht: list[str] | None = None
        self.submitter: dict = {}
        self.receiver: dict = {}
        self.where = "header"
        self.street: tuple[str, str | None] | None = None
        self.billing: dict = {}
        self.billing_built: BillingProvider | None = None
        self.subscriber: dict = {}
        self.payer: dict = {}
        self.patient: dict | None = None
        self.claim: dict | None = None
        self.lines: list[dict] = []
        self.priors: list[dict] = []
        self.claims: list[Claim837] = []

    # --- builders ------------------------------------------------------------------------------

    def billing_provider(self) -> BillingProvider:
        if self.billing_built is None:
            billing = self.billing
            if "npi" not in billing or "address" not in billing:
                raise MappingError("the billing provider loop (2010AA) needs NM1*85 with an NPI and N3/N4")
            self.billing_built = BillingProvider(
                billing["npi"],
                billing["name"],
                billing.get("tax_id", ""),
                billing["address"],
                billing.get("taxonomy"),
                billing.get("pay_to_address"),
            )
        return self.billing_built

    def finish_claim(self) -> None:
        if self.claim is None:
            return
        self.finish_line_result()
        self.close_claim_providers()
        claim = self.claim
        self.claim = None
        lines = []
        line_results: dict[str, list[LineAdjudication]] = {}
        for line in self.lines:
            for payer_id, result in line.pop("results"):
                line_results.setdefault(payer_id, []).append(result)
            missing = {"charge", "units"} - line.keys()
            if missing:
                raise MappingError(f"service line {line['line_number']} has no SV1/SV2")
            lines.append(ServiceLine(**line))
        priors = []
        for prior in self.priors:
            prior.pop("section", None)
            prior["adjustments"] = tuple(prior.get("adjustments", ()))
            prior["lines"] = tuple(line_results.get(prior.get("payer_id", ""), ()))
            if "paid" not in prior:
                continue  # other coverage that has not adjudicated the claim (no AMT*D): no prior payment
            if not {"payer_id", "member_id"} <= prior.keys():
                raise MappingError("a 2320 loop needs AMT*D, 2330A (NM1*IL) and 2330B (NM1*PR)")
            priors.append(PayerAdjudication(**prior))
        subscriber = self.subscriber
        if "member_id" not in subscriber or "payer_id" not in self.payer:
            raise MappingError("the subscriber loop needs NM1*IL (2010BA) and NM1*PR (2010BB)")
        claim["diagnoses"] = (*reversed(claim.pop("principal")), *claim["diagnoses"])
        institutional = None
        if self.institutional:
            details = claim.pop("details")
            if "statement_from" not in details:
                raise MappingError("an 837I claim needs DTP*434 statement dates")
            for field in ("reason_for_visit", "occurrence_codes", "value_codes", "condition_codes"):
                details[field] = tuple(details.get(field, ()))
            institutional = InstitutionalDetails(**details)
        else:
            claim.pop("details")
        self.claims.append(
            Claim837(
                billing=self.billing_provider(),
                subscriber=Subscriber(
                    subscriber["member_id"],
                    subscriber["person"],
                    subscriber.get("responsibility", "P"),
                    subscriber.get("group_number"),
                    subscriber.get("filing", "CI"),
                ),
                payer=ClaimPayer(self.payer["payer_id"], self.payer["name"], self.payer.get("address")),
                lines=tuple(lines),
                patient=Person(**self.patient["person"]) if self.patient else None,
                patient_relationship=self.patient["relationship"] if self.patient else "18",
                prior_payers=tuple(priors),
                institutional=institutional,
                **claim,
            )
        )
        self.lines, self.priors = [], []

    def person(self, nm1: list[str]) -> dict:
        return {"last_name": nm1[3], "first_name": nm1[4] or None}

    # --- segments ------------------------------------------------------------------------------

    def on_bht(self, segment: list[str]) -> None:
        self.bht = elements(segment, 6)

    def on_hl(self, segment: list[str]) -> None:
        self.finish_claim()
        level = elements(segment, 3)[3]
        if level == "20":
            self.where = "billing"
            self.billing, self.billing_built = {}, None
        elif level == "22":
            self.where = "subscriber"
            self.subscriber, self.payer, self.patient = {}, {}, None
        elif level == "23":
            self.where = "patient"
            self.patient = {"person": {}, "relationship": ""}
        else:
            raise MappingError("HL03 hierarchical level is not 20, 22 or 23")

    def on_prv(self, segment: list[str]) -> None:
        prv = elements(segment, 3)
        if self.where == "billing":
            self.billing["taxonomy"] = prv[3]
        elif self.where == "provider" and self.claim is not None:
            self.claim["_provider"]["taxonomy"] = prv[3]

    def on_nm1(self, segment: list[str]) -> None:
        nm1 = elements(segment, 9)
        entity, where = nm1[1], self.where
        if entity == "41":
            self.submitter.update(name=nm1[3], identifier=nm1[9])
            self.where = "submitter"
        elif entity == "40":
            self.receiver.update(name=nm1[3], identifier=nm1[9])
            self.where = "receiver"
        elif entity == "85" and where in ("billing", "payto"):
            self.billing.update(name=nm1[3], npi=nm1[9])
        elif entity == "87":
            self.where = "payto"
        elif self.claim is not None:
            self.claim_nm1(entity, nm1)
        elif entity == "IL":
            self.subscriber.update(member_id=nm1[9], person=self.person(nm1))
            self.where = "subscriber_name"
        elif entity == "PR":
            self.payer.update(payer_id=nm1[9], name=nm1[3])
            self.where = "payer"
        elif entity == "QC" and self.patient is not None:
            self.patient["person"].update(self.person(nm1))
            self.where = "patient_name"

    def claim_nm1(self, entity: str, nm1: list[str]) -> None:
        claim = self.claim
        assert claim is not None
        if self.priors and self.where in ("cob", "cob_subscriber", "cob_payer"):
            prior = self.priors[-1]
            if entity == "IL":
                prior.update(member_id=nm1[9], subscriber=Person(nm1[3], nm1[4] or None))
                self.where = "cob_subscriber"
            elif entity == "PR":
                prior.update(payer_id=nm1[9], payer_name=nm1[3])
                self.where = "cob_payer"
            return
        if entity in ("82", "71"):
            provider = {"npi": nm1[9], "last_name": nm1[3], "first_name": nm1[4] or None, "is_person": nm1[2] != "2"}
            claim["_provider"] = provider
            if entity == "82":
                claim["_rendering"] = provider
            else:
                claim["details"]["_attending"] = provider
            self.where = "provider"

    def on_n3(self, segment: list[str]) -> None:
        n3 = elements(segment, 2)
        self.street = (n3[1], n3[2] or None)

    def on_n4(self, segment: list[str]) -> None:
        n4 = elements(segment, 3)
        street, second = self.street or ("", None)
        self.street = None
        address = PostalAddress(street, n4[1], n4[2], n4[3], second)
        where = self.where
        if where == "billing":
            self.billing["address"] = address
        elif where == "payto":
            self.billing["pay_to_address"] = address
        elif where == "subscriber_name":
            self.subscriber["person"]["address"] = address
        elif where == "payer":
            self.payer["address"] = address
        elif where == "patient_name" and self.patient is not None:
            self.patient["person"]["address"] = address

    def on_ref(self, segment: list[str]) -> None:
        ref = elements(segment, 2)
        qualifier, value, where = ref[1], ref[2], self.where
        if where == "billing" and qualifier in ("EI", "SY"):
            self.billing["tax_id"] = value
        elif where == "line" and qualifier == "6R":
            self.lines[-1]["line_item_control_number"] = value
        elif where == "cob_payer" and qualifier == "F8":
            self.priors[-1]["payer_claim_number"] = value
        elif where == "claim" and self.claim is not None:
            if qualifier == "F8":
                self.claim["payer_claim_number"] = value
            elif qualifier == "EA":
                self.claim["medical_record_number"] = value

    def on_dmg(self, segment: list[str]) -> None:
        dmg = elements(segment, 3)
        facts = {"birth_date": parse_date(dmg[2], "DMG02"), "sex": dmg[3] or None}
        if self.where == "subscriber_name":
            self.subscriber["person"].update(facts)
        elif self.where == "patient_name" and self.patient is not None:
            self.patient["person"].update(facts)

    def on_sbr(self, segment: list[str]) -> None:
        sbr = elements(segment, 9)
        if self.claim is None:
            self.subscriber.update(responsibility=sbr[1], group_number=sbr[3] or None, filing=sbr[9] or "CI")
            return
        self.priors.append(
            {
                "responsibility": sbr[1],
                "relationship": sbr[2],
                "group_number": sbr[3] or None,
                "claim_filing_indicator": sbr[9] or "CI",
            }
        )
        self.where = "cob"

    def on_pat(self, segment: list[str]) -> None:
        if self.patient is not None:
            self.patient["relationship"] = elements(segment, 1)[1]

    def on_clm(self, segment: list[str]) -> None:
        self.finish_claim()
        if "person" not in self.subscriber:
            raise MappingError("CLM before the subscriber's NM1*IL")
        if self.patient is not None:
            self.patient["person"] = dict(self.patient["person"])
            if "last_name" not in self.patient["person"]:
                raise MappingError("CLM before the patient's NM1*QC")
        self.subscriber["person"] = (
            Person(**self.subscriber["person"])
            if isinstance(self.subscriber["person"], dict)
            else self.subscriber["person"]
        )
        clm = elements(segment, 9)
        facility = clm[5].split(self.component)
        if len(facility) < 3:
            raise MappingError("CLM05 needs facility code, qualifier and frequency")
        self.claim = {
            "claim_id": clm[1],
            "total_charge": amount(clm[2], "CLM02"),
            "frequency_code": facility[2],
            "place_of_service": None if self.institutional else facility[0],
            "diagnoses": [],  # lists while reading (appending stays linear), tuples in the model
            "principal": [],
            "provider_signature": "Y" if self.institutional else clm[6],  # CLM06 is not used on 837I
            "assignment": clm[7],
            "benefits_assigned": clm[8],
            "release_of_information": clm[9],
            "details": {"facility_type": facility[0]} if self.institutional else {},
        }
        self.where = "claim"

    def on_dtp(self, segment: list[str]) -> None:
        dtp = elements(segment, 3)
        qualifier, where = dtp[1], self.where
        if where == "line":
            if qualifier == "472":
                self.lines[-1]["date_of_service"] = (
                    parse_period(dtp[3], "DTP03")[0] if dtp[2] == "RD8" else parse_date(dtp[3], "DTP03")
                )
        elif where == "line_result" and qualifier == "573":
            self.lines[-1]["results"][-1][1]["adjudication_date"] = parse_date(dtp[3], "DTP03")
        elif where == "cob_payer" and qualifier == "573":
            self.priors[-1]["adjudication_date"] = parse_date(dtp[3], "DTP03")
        elif where == "claim" and self.claim is not None:
            details = self.claim["details"]
            if qualifier == "434":
                # RD8 per the guide; a single D8 date (seen in partners' files) is a one-day statement
                details["statement_from"], details["statement_to"] = (
                    parse_period(dtp[3], "DTP03") if dtp[2] != "D8" else (parse_date(dtp[3], "DTP03"),) * 2)
            elif qualifier == "435":
                details["admission_date"] = parse_date(dtp[3][:8], "DTP03")

    def on_cl1(self, segment: list[str]) -> None:
        if self.claim is not None:
            cl1 = elements(segment, 3)
            self.claim["details"].update(
                admission_type=cl1[1] or None, admission_source=cl1[2] or None, patient_status=cl1[3]
            )

    def on_hi(self, segment: list[str]) -> None:
        claim = self.claim
        if claim is None:
            raise MappingError("HI outside a claim")
        details = claim["details"]
        for position in range(1, len(segment)):
            if not segment[position]:
                continue
            parts = segment[position].split(self.component) + ["", "", "", ""]
            qualifier, code = parts[0], parts[1]
            if qualifier in ("ABK", "BK"):
                claim["principal"].append(code)
            elif qualifier in ("ABF", "BF"):
                claim["diagnoses"].append(code)
            elif qualifier in ("ABJ", "BJ"):
                details["admitting_diagnosis"] = code
            elif qualifier in ("APR", "PR"):
                details.setdefault("reason_for_visit", []).append(code)
            elif qualifier == "BH":
                details.setdefault("occurrence_codes", []).append(
                    OccurrenceCode(code, parse_date(parts[3], f"HI{position:02d}-4"))
                )
            elif qualifier == "BE":
                details.setdefault("value_codes", []).append(ValueCode(code, amount(parts[4], f"HI{position:02d}-5")))
            elif qualifier == "BG":
                details.setdefault("condition_codes", []).append(code)

    def on_cas(self, segment: list[str]) -> None:
        if self.where == "cob":
            self.priors[-1].setdefault("adjustments", []).extend(adjustments_of(segment))
        elif self.where == "line_result":
            result = self.lines[-1]["results"][-1][1]
            result.setdefault("adjustments", []).extend(adjustments_of(segment))

    def on_amt(self, segment: list[str]) -> None:
        amt = elements(segment, 2)
        if self.where == "cob":
            if amt[1] == "D":
                self.priors[-1]["paid"] = amount(amt[2], "AMT02")
            elif amt[1] == "EAF":
                self.priors[-1]["remaining_patient_liability"] = amount(amt[2], "AMT02")
        elif self.where == "line_result" and amt[1] == "EAF":
            self.lines[-1]["results"][-1][1]["remaining_patient_liability"] = amount(amt[2], "AMT02")

    def on_lx(self, segment: list[str]) -> None:
        if self.claim is None:
            raise MappingError("LX outside a claim")
        self.finish_line_result()
        self.close_claim_providers()
        self.lines.append(
            {"line_number": integer(elements(segment, 1)[1], "LX01"), "results": [], "date_of_service": None}
        )
        self.where = "line"

    def close_claim_providers(self) -> None:
        claim = self.claim
        if claim is None:
            return
        claim.pop("_provider", None)
        rendering = claim.pop("_rendering", None)
        if rendering is not None:
            claim["rendering"] = ClaimProvider(**rendering)
        attending = claim["details"].pop("_attending", None)
        if attending is not None:
            claim["details"]["attending"] = ClaimProvider(**attending)

    def procedure(self, composite: str, name: str) -> tuple[str | None, tuple[str, ...]]:
        if not composite:
            return None, ()
        parts = composite.split(self.component)
        if len(parts) < 2:
            raise MappingError(f"{name} needs a qualifier and a procedure code")
        return parts[1], tuple(code for code in parts[2:6] if code)

    def on_sv1(self, segment: list[str]) -> None:
        if self.where != "line":
            raise MappingError("SV1 outside a service line (no LX before it)")
        sv1 = elements(segment, 7)
        code, modifiers = self.procedure(sv1[1], "SV101")
        pointers = tuple(integer(pointer, "SV107") for pointer in sv1[7].split(self.component) if pointer)
        self.lines[-1].update(
            procedure_code=code,
            modifiers=modifiers,
            charge=amount(sv1[2], "SV102"),
            unit_basis=sv1[3],
            units=number(sv1[4], "SV104"),
            place_of_service=sv1[5] or None,
            diagnosis_pointers=pointers,
        )

    def on_sv2(self, segment: list[str]) -> None:
        if self.where != "line":
            raise MappingError("SV2 outside a service line (no LX before it)")
        sv2 = elements(segment, 5)
        code, modifiers = self.procedure(sv2[2], "SV202")
        self.lines[-1].update(
            revenue_code=sv2[1],
            procedure_code=code,
            modifiers=modifiers,
            charge=amount(sv2[3], "SV203"),
            unit_basis=sv2[4],
            units=number(sv2[5], "SV205"),
        )

    def finish_line_result(self) -> None:
        if self.where != "line_result":
            return
        payer_id, result = self.lines[-1]["results"][-1]
        if "adjudication_date" not in result:
            raise MappingError("a 2430 loop needs DTP*573")
        result["adjustments"] = tuple(result.get("adjustments", ()))
        self.lines[-1]["results"][-1] = (payer_id, LineAdjudication(**result))
        self.where = "line"

    def on_svd(self, segment: list[str]) -> None:
        if self.where not in ("line", "line_result"):
            raise MappingError("SVD outside a service line")
        self.finish_line_result()
        svd = elements(segment, 5)
        code, modifiers = self.procedure(svd[3], "SVD03")
        line = self.lines[-1]
        line["results"].append(
            (
                svd[1],
                {
                    "line_number": line["line_number"],
                    "paid": amount(svd[2], "SVD02"),
                    "paid_units": number(svd[5], "SVD05"),
                    "procedure_code": code,
                    "modifiers": modifiers,
                    "revenue_code": svd[4] or None,
                },
            )
        )
        self.where = "line_result"

    def result(self) -> ClaimBatch:
        self.finish_line_result()
        self.close_claim_providers()
        self.finish_claim()
        if self.bht is None:
            raise MappingError("an 837 needs a BHT segment")
        bht = self.bht
        created_day = parse_date(bht[4], "BHT04")
        hour, minute = (small_whole(bht[5][:2]) or 0, small_whole(bht[5][2:4]) or 0) if is_time(bht[5]) else (0, 0)
        created = datetime(created_day.year, created_day.month, created_day.day, hour, minute)
        return ClaimBatch(
            reference=bht[3],
            created=created,
            submitter=Submitter(
                self.submitter.get("name", ""),
                self.submitter.get("identifier", ""),
                self.submitter.get("contact_name", ""),
                self.submitter.get("phone", ""),
            ),
            receiver=Receiver(self.receiver.get("name", ""), self.receiver.get("identifier", "")),
            claims=tuple(self.claims),
            purpose=bht[2],
            claim_type=bht[6],
        )

    def on_per(self, segment: list[str]) -> None:
        if self.where == "submitter":
            per = elements(segment, 4)
            self.submitter.update(contact_name=per[2], phone=per[4])


def read_claims(segments: list[list[str]], transaction: TransactionSet) -> ClaimBatch:
    reader = _ClaimReader(transaction)
    handlers = {
        "BHT": reader.on_bht,
        "HL": reader.on_hl,
        "PRV": reader.on_prv,
        "NM1": reader.on_nm1,
        "N3": reader.on_n3,
        "N4": reader.on_n4,
        "REF": reader.on_ref,
        "DMG": reader.on_dmg,
        "SBR": reader.on_sbr,
        "PAT": reader.on_pat,
        "CLM": reader.on_clm,
        "DTP": reader.on_dtp,
        "CL1": reader.on_cl1,
        "HI": reader.on_hi,
        "CAS": reader.on_cas,
        "AMT": reader.on_amt,
        "LX": reader.on_lx,
        "SV1": reader.on_sv1,
        "SV2": reader.on_sv2,
        "SVD": reader.on_svd,
        "PER": reader.on_per,
    }
    return run(segments, transaction, handlers, reader.result)
