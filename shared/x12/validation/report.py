"""`validate`: everything we check about a file, in one report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from shared.x12.document import X12Document, coded_failures, read, read_without_models
from shared.x12.envelope import TransactionSet
from shared.x12.errors import InvalidX12, Issue
from shared.x12.gc_pause import collector_paused
from shared.x12.separators import Separators
from shared.x12.validation.dsl import Guide
from shared.x12.validation.guides.acknowledgement import ACKNOWLEDGEMENT
from shared.x12.validation.guides.claim_status import CLAIM_STATUS
from shared.x12.validation.guides.claims import INSTITUTIONAL, PROFESSIONAL
from shared.x12.validation.guides.common import PHI_SEGMENTS
from shared.x12.validation.guides.eligibility import INQUIRY, RESPONSE
from shared.x12.validation.guides.remittance import REMITTANCE
from shared.x12.validation.rules.acknowledgements import (
    AcknowledgementRules,
    HierarchicalRules,
)
from shared.x12.validation.rules.base import Rules
from shared.x12.validation.rules.claims import ClaimRules
from shared.x12.validation.rules.remittance import RemittanceRules
from shared.x12.validation.structure import CompiledGuide, LoopWalker, compile_guide
from shared.x12.validation.syntax import check_segment


@dataclass(frozen=True, slots=True)
class ValidationReport:
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...]

    @property
    def valid(self) -> bool:
        return not self.errors

    def raise_if_invalid(self) -> None:
        """Raise InvalidX12 carrying the errors, if there are any."""
        if self.errors:
            raise InvalidX12(self.errors)


RulesFactory = Callable[[list[Issue], Separators], Rules]

_GUIDES: dict[tuple[str, str], tuple[Guide, RulesFactory]] = {
    ("837", "005010X222A1"): (
        PROFESSIONAL,
        lambda issues, separators: ClaimRules(issues, separators, professional=True),
    ),
    ("837", "005010X223A2"): (
        INSTITUTIONAL,
        lambda issues, separators: ClaimRules(issues, separators, professional=False),
    ),
    ("835", "005010X221A1"): (REMITTANCE, RemittanceRules),
    ("999", "005010X231A1"): (ACKNOWLEDGEMENT, AcknowledgementRules),
    ("277", "005010X214"): (CLAIM_STATUS, HierarchicalRules),
    ("270", "005010X279A1"): (INQUIRY, HierarchicalRules),
    ("271", "005010X279A1"): (RESPONSE, HierarchicalRules),
}
# the guide to try when a set carries a version we do not know (reported as a warning)
_FALLBACK = {
    "837": ("837", "005010X222A1"),
    "835": ("835", "005010X221A1"),
    "999": ("999", "005010X231A1"),
    "277": ("277", "005010X214"),
    "270": ("270", "005010X279A1"),
    "271": ("271", "005010X279A1"),
}
_INSTITUTIONAL_VERSIONS = ("005010X223A1", "005010X223A3")


_COMPILED: dict[int, CompiledGuide] = {}


def _compiled(guide: Guide) -> CompiledGuide:
    compiled = _COMPILED.get(id(guide))
    if compiled is None:
        compiled = _COMPILED[id(guide)] = compile_guide(guide)
    return compiled


def _label(text: str) -> str:
    return text if text.isalnum() and text.isascii() and len(text) <= 15 else "(unprintable)"


def _guide_for(transaction: TransactionSet, issues: list[Issue]) -> tuple[Guide, RulesFactory] | None:
    key = (transaction.set_id, transaction.version)
    if key in _GUIDES:
        return _GUIDES[key]
    if transaction.set_id not in _FALLBACK:
        issues.append(
            Issue(
                transaction.position,
                "ST",
                f"transaction set {_label(transaction.set_id)} is not one this codec reads or validates",
                "warning",
            )
        )
        return None
    if transaction.set_id == "837" and transaction.version in _INSTITUTIONAL_VERSIONS:
        fallback = ("837", "005010X223A2")
    else:
        fallback = _FALLBACK[transaction.set_id]
    issues.append(
        Issue(
            transaction.position,
            "ST",
            f"implementation guide {_label(transaction.version)} is not one we validate; checked against {fallback[1]}",
            "warning",
        )
    )
    return _GUIDES[fallback]


def validate(source: X12Document | str | bytes, *, received: bool = False) -> ValidationReport:
    """Validate a document (or the text of a file) against the implementation guides.

    Checks envelopes and control numbers, loop structure, every element of the segments the
    guides define (presence, length, type, code values), balancing (837 CLM02 = sum of line
    charges, COB lines; 835 BPR02 = sum of CLP04 - sum of PLB, claims and lines against their CAS),
    and the situational rules our claims depend on. Raises X12Error only when text cannot be read.

    `received=True` judges a file a partner sent us: only blocking issues (money that does not
    add up, a set that cannot be mapped, segments outside the envelopes) stay errors; every other
    finding of the guide (a wrong NPI check digit, a code not in the guide's list, a wrong count)
    becomes a warning, so the file is used and the defect flagged. Files we write are judged
    strictly (the default).
    """
    if isinstance(source, X12Document):
        with collector_paused(), coded_failures():
            report = _validate(source, received)
            source.tokens.drop_elements()  # split again only for this validation; see Tokens
        return report
    with collector_paused(), coded_failures():
        # a received file is mapped too: a set that cannot be mapped is a blocking issue
        document = read(source) if received else read_without_models(source)
        report = _validate(document, received)
        # Freed while the collector is still paused: otherwise its first pass after resuming
        # would walk every segment of the file once more before they are freed anyway.
        del document
    return report


def _validate(document: X12Document, received: bool = False) -> ValidationReport:
    issues = list(document.issues)
    tokens = document.tokens
    caches: dict[tuple[int, Separators], list[dict[str, tuple[str, ...]]]] = {}
    for transaction in document.transactions:
        chosen = _guide_for(transaction, issues)
        if chosen is None:
            continue
        guide, rules_factory = chosen
        compiled = _compiled(guide)
        key = (id(compiled), transaction.separators)
        if key not in caches:
            caches[key] = [{} for _ in range(compiled.node_count + 1)]
        _validate_transaction(
            tokens.segments,
            tokens.raw,
            transaction,
            compiled,
            rules_factory(issues, transaction.separators),
            caches[key],
            issues,
        )
    if received:
        issues = [issue if issue.blocking or issue.severity != "error" else replace(issue, severity="warning")
                  for issue in issues]
    issues.sort(key=lambda issue: issue.position)
    return ValidationReport(
        tuple(issue for issue in issues if issue.severity == "error"),
        tuple(issue for issue in issues if issue.severity == "warning"),
    )


def _validate_transaction(
    segments: list[list[str]],
    raws: list[str],
    transaction: TransactionSet,
    compiled: CompiledGuide,
    rules: Rules,
    caches: list[dict],
    issues: list[Issue],
) -> None:
    """Walk one transaction set: its loops, each segment's elements (memoized by segment text per
    loop, since batches repeat segments verbatim), and the rules that look across segments."""
    separators = transaction.separators
    walker = LoopWalker(compiled, segments, transaction.start, issues)
    step = walker.step
    stack = walker.stack
    phi_segments = PHI_SEGMENTS
    append = issues.append
    element_memo = caches[-1]  # the last cache holds verdicts per (element, value)
    # per loop: segment id -> (element rules, rule handler), so one lookup serves both
    entries_by_loop: dict[int, dict] = {}

    def entries_for(node) -> dict:
        entries = entries_by_loop.get(node.index)
        if entries is None:
            handlers = rules.handlers_in(node.loop_id)
            entries = entries_by_loop[node.index] = {
                segment_id: (node.specs.get(segment_id), handlers.get(segment_id))
                for segment_id in node.specs.keys() | handlers.keys()
            }
        return entries

    node, _, seen = stack[-1]
    node_segments, entries, cache, loop_id = node.segments, entries_for(node), caches[node.index], node.loop_id
    for index in range(transaction.start + 1, transaction.end):
        segment = segments[index]
        segment_id = segment[0]
        if segment_id in node_segments:
            seen.add(segment_id)  # the common case, without a call into the walker
        else:
            if step(index, segment) is None:
                continue
            node, _, seen = stack[-1]
            node_segments, entries, cache, loop_id = node.segments, entries_for(node), caches[node.index], node.loop_id
        entry = entries.get(segment_id)
        if entry is None:
            continue
        spec, handler = entry
        if spec is not None:
            raw = raws[index]
            problems = cache.get(raw)
            if problems is None:
                problems = cache[raw] = check_segment(
                    segment, spec, separators, segment_id in phi_segments, element_memo
                )
            for message in problems:
                append(Issue(index + 1, segment_id, message, "error", loop_id))
        if handler is not None:
            handler(index, loop_id, segment)
    walker.finish()
    rules.finish()
