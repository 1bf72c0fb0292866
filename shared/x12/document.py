"""Reading a whole file: tokenize, walk the envelopes, map every transaction set."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from shared.x12.envelope import Interchange, TransactionSet, walk_envelopes
from shared.x12.errors import Issue, MappingError, UnexpectedInput, X12Error
from shared.x12.gc_pause import collector_paused
from shared.x12.models.acknowledgement import FunctionalAcknowledgement
from shared.x12.models.claim import ClaimBatch
from shared.x12.models.claim_status import ClaimStatusReport
from shared.x12.models.eligibility import EligibilityRequest, EligibilityResponse
from shared.x12.models.remittance import Remittance
from shared.x12.readers import NOT_MAPPED, READERS
from shared.x12.tokenizer import Tokens, tokenize

M = TypeVar("M")


@dataclass(slots=True)
class X12Document:
    """A file as read: its interchanges (with the mapped transaction sets) and what reading found."""

    interchanges: list[Interchange]
    issues: list[Issue]
    tokens: Tokens = field(repr=False)

    @property
    def transactions(self) -> list[TransactionSet]:
        return [
            transaction
            for interchange in self.interchanges
            for group in interchange.groups
            for transaction in group.transactions
        ]

    def _models(self, kind: type[M]) -> list[M]:
        return [transaction.model for transaction in self.transactions if isinstance(transaction.model, kind)]

    def remittances(self) -> list[Remittance]:
        return self._models(Remittance)

    def claim_batches(self) -> list[ClaimBatch]:
        return self._models(ClaimBatch)

    def acknowledgements(self) -> list[FunctionalAcknowledgement]:
        return self._models(FunctionalAcknowledgement)

    def claim_status_reports(self) -> list[ClaimStatusReport]:
        return self._models(ClaimStatusReport)

    def eligibility_responses(self) -> list[EligibilityResponse]:
        return self._models(EligibilityResponse)

    def eligibility_requests(self) -> list[EligibilityRequest]:
        return self._models(EligibilityRequest)


def read(data: str | bytes, *, map_models: bool = True, max_bytes: int | None = None) -> X12Document:
    """Read an X12 file and map each transaction set it holds (835, 837P/I, 999, 277CA, 270, 271).

    Returns the document with the envelope and mapping Issues it found; a transaction set that
    cannot be mapped keeps `model = None` and has an error Issue. Raises NotX12,
    MalformedInterchange or TruncatedInterchange (all X12Error) when the file cannot be read.
    Validation beyond the envelopes is `validate(document)`. `map_models=False` only splits the
    file and checks envelopes (what `validate` needs). A file over `max_bytes` (default: the
    configured maximum, shared/x12/limits.py) raises TooLarge before anything is read.
    """
    with collector_paused(), coded_failures():
        return _read(data, map_models, max_bytes)


def read_without_models(data: str | bytes, max_bytes: int | None = None) -> X12Document:
    """The document's segments and envelopes, without mapping models (for validation); the caller
    pauses the garbage collector."""
    with coded_failures():
        return _read(data, False, max_bytes)


@contextmanager
def coded_failures() -> Iterator[None]:
    """Whatever a reader did not foresee still comes out as an X12Error with a code and no PHI
    (the exception's type only), never a traceback into a service's handler."""
    try:
        yield
    except X12Error:
        raise
    except (Exception, RecursionError) as failure:
        raise UnexpectedInput(f"the file could not be read ({type(failure).__name__})") from None


def _read(data: str | bytes, map_models: bool, max_bytes: int | None) -> X12Document:
    tokens = tokenize(data, max_bytes=max_bytes)
    interchanges, issues = walk_envelopes(tokens)
    document = X12Document(interchanges, issues, tokens)
    if not map_models:
        return document
    segments = tokens.segments
    for transaction in document.transactions:
        reader = READERS.get(transaction.set_id)
        if reader is None or (transaction.set_id, transaction.version) in NOT_MAPPED:
            continue  # validate() warns about transaction sets we do not know
        try:
            transaction.model = reader(segments, transaction)
        except MappingError as failure:
            # blocking: the set's content is lost to the platform (remittances() etc. leave it out)
            issues.append(Issue(failure.position or transaction.position, failure.segment or "ST", failure.message,
                                "error", None, True))
    tokens.drop_elements()  # the models are built; see Tokens
    return document
