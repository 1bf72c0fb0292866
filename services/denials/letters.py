"""Appeal letters generated from the work item's facts and the denial codes: nothing else.

The letter states only what the claim and the remittance say (ids, dates, amounts, procedure codes,
the payer's CARC/RARC codes with our descriptions of them) and asks for reconsideration. It makes no
clinical statement: supporting records are attached by the person who sends it. The patient's name
is PHI that the denials service does not hold, so the letter refers to the claim by our claim id and
the payer's claim number. A fact we do not have is printed as "not on record", never guessed.
"""

from __future__ import annotations

import html
from datetime import date

from services.denials.codes import CodeList, carcs, rarcs
from services.denials.queue import WorkItem

NOT_ON_RECORD = "not on record"


def _money(amount) -> str:
    return NOT_ON_RECORD if amount is None else f"${amount:,.2f}"


def _carc_lines(item: WorkItem, carc_list: CodeList) -> list[str]:
    lines = []
    for grouped in item.carcs:
        group, _, code = grouped.partition("-")
        lines.append(f"  {group}-{code}: {carc_list.describe(code, item.payment_date)}")
    return lines


def appeal_letter(item: WorkItem, written_on: date, carc_list: CodeList | None = None,
                  rarc_list: CodeList | None = None) -> str:
    """Return the plain-text appeal letter for `item`, dated `written_on`."""
    carc_list, rarc_list = carc_list or carcs(), rarc_list or rarcs()
    remarks = [f"  {code}: {rarc_list.describe(code, item.payment_date)}" for code in item.rarcs]
    procedures = ", ".join(item.procedure_codes) if item.procedure_codes else NOT_ON_RECORD
    lines = [
        f"Date: {written_on.isoformat()}",
        f"To: Appeals department, payer {item.payer_id}",
        f"Re: Request for reconsideration of payer claim number {item.payer_claim_number}",
        "",
        f"Our claim id:            {item.claim_id}",
        f"Payer claim number:      {item.payer_claim_number}",
        f"Date of service:         {item.date_of_service.isoformat()}",
        f"Rendering provider NPI:  {item.rendering_npi or NOT_ON_RECORD}",
        f"Procedure codes:         {procedures}",
        f"Billed:                  {_money(item.billed)}",
        f"Denied:                  {_money(item.amount)}",
        f"Remittance dated:        {item.payment_date.isoformat()}",
        "",
        "Reason codes on the remittance:",
        *_carc_lines(item, carc_list),
    ]
    if remarks:
        lines += ["Remark codes on the remittance:", *remarks]
    lines += [
        "",
        f"We ask you to reconsider the denial of {_money(item.amount)} on this claim. The supporting "
        "documentation for the services billed is enclosed with this request.",
        f"This appeal is filed within your appeal period, which ends on {item.appeal_deadline.isoformat()}.",
        "",
        "Billing office",
    ]
    return "\n".join(lines) + "\n"


def as_html(letter: str) -> str:
    """The same letter as a minimal HTML page (escaped; line breaks kept)."""
    return "<!doctype html><meta charset=\"utf-8\"><title>Appeal</title><pre>" + html.escape(letter) + "</pre>\n"
