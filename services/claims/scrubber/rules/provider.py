"""Billing and rendering providers: NPI check digits, tax id, taxonomy, who renders."""

from __future__ import annotations

import re
from functools import lru_cache

from shared.codes.npi import is_valid_npi

from services.claims.scrubber.engine import rule

_TAXONOMY = re.compile(r"[0-9A-Z]{9}X")
_PO_BOX = re.compile(r"\bP\.?\s*O\.?\s*BOX\b|\bPOST OFFICE BOX\b", re.IGNORECASE)


@lru_cache(maxsize=4096)  # a practice's providers and addresses repeat on every claim
def _is_taxonomy(text: str) -> bool:
    return _TAXONOMY.fullmatch(text) is not None


@lru_cache(maxsize=4096)
def _is_po_box(text: str) -> bool:
    return _PO_BOX.search(text) is not None


@rule("PRV-001", "provider", "BILLING_NPI_INVALID", "billing provider NPI has ten digits and a valid check digit")
def billing_npi(claim, facts):
    if not is_valid_npi(claim.billing.npi):
        return ("billing provider NPI fails the check digit",)
    return ()


@rule("PRV-002", "provider", "RENDERING_NPI_INVALID", "rendering (or attending) NPI has a valid check digit")
def rendering_npi(claim, facts):
    rendering = facts.rendering
    if rendering is not None and not is_valid_npi(rendering.npi):
        return ("rendering provider NPI fails the check digit",)
    return ()


@rule("PRV-003", "provider", "BILLING_TAX_ID_INVALID", "billing provider tax id (EIN) is nine digits")
def billing_tax_id(claim, facts):
    tax_id = claim.billing.tax_id or ""
    if len(tax_id) != 9 or not tax_id.isdigit():
        return ("billing provider tax id is missing or not nine digits",)
    return ()


@rule("PRV-004", "provider", "BILLING_TAXONOMY_MISSING", "billing provider taxonomy present", "warning")
def billing_taxonomy(claim, facts):
    if not claim.billing.taxonomy:
        return ("billing provider has no taxonomy code",)
    return ()


@rule("PRV-005", "provider", "RENDERING_SAME_AS_BILLING", "a rendering provider is sent only when it differs from billing")
def rendering_differs(claim, facts):
    if claim.rendering is not None and claim.rendering.npi == claim.billing.npi:
        return ("rendering provider repeats the billing provider NPI",)
    return ()


@rule("PRV-006", "provider", "RENDERING_NOT_PERSON", "the rendering provider is a person")
def rendering_person(claim, facts):
    if claim.rendering is not None and not claim.rendering.is_person:
        return ("rendering provider is an organization; it must be the individual who rendered care",)
    return ()


@rule("PRV-007", "provider", "TAXONOMY_INVALID", "taxonomy codes have ten characters ending in X")
def taxonomy_format(claim, facts):
    messages = ()
    if claim.billing.taxonomy and not _is_taxonomy(claim.billing.taxonomy):
        messages += (f"billing provider taxonomy {claim.billing.taxonomy} is not a taxonomy code",)
    rendering = facts.rendering
    if rendering is not None and rendering.taxonomy and not _is_taxonomy(rendering.taxonomy):
        messages += (f"rendering provider taxonomy {rendering.taxonomy} is not a taxonomy code",)
    return messages


@rule("PRV-008", "provider", "RENDERING_TAXONOMY_MISSING", "rendering provider taxonomy present", "warning")
def rendering_taxonomy(claim, facts):
    rendering = facts.rendering
    if rendering is not None and not rendering.taxonomy:
        return ("rendering provider has no taxonomy code",)
    return ()


@rule("PRV-009", "provider", "BILLING_ADDRESS_PO_BOX", "billing provider address is a street address, not a PO box")
def billing_street_address(claim, facts):
    address = claim.billing.address
    if address is None:
        return ("billing provider has no street address",)
    if _is_po_box(address.line1) or (address.line2 and _is_po_box(address.line2)):
        return ("billing provider address is a PO box; use the pay-to address for a PO box",)
    return ()


RULES = (billing_npi, rendering_npi, billing_tax_id, billing_taxonomy, rendering_differs, rendering_person,
         taxonomy_format, rendering_taxonomy, billing_street_address)
