"""999 reader."""

from __future__ import annotations

from shared.x12.envelope import TransactionSet
from shared.x12.errors import MappingError
from shared.x12.models.acknowledgement import (
    ElementError,
    FunctionalAcknowledgement,
    SegmentError,
    TransactionSetAcknowledgement,
)
from shared.x12.readers.mapping import run
from shared.x12.values import elements, integer


class _AcknowledgementReader:
    def __init__(self, transaction: TransactionSet) -> None:
        self.transaction = transaction
        self.component = transaction.separators.component
        self.ak1: list[str] | None = None
        self.ak9: list[str] | None = None
        self.sets: list[TransactionSetAcknowledgement] = []
        self.ak2: list[str] | None = None
        self.segment_errors: list[SegmentError] = []
        self.ik3: list[str] | None = None
        self.element_errors: list[ElementError] = []

    def finish_segment_error(self) -> None:
        if self.ik3 is None:
            return
        ik3 = self.ik3
        self.segment_errors.append(
            SegmentError(ik3[1], integer(ik3[2], "IK302"), ik3[3] or None, ik3[4] or None, tuple(self.element_errors))
        )
        self.ik3, self.element_errors = None, []

    def on_ak1(self, segment: list[str]) -> None:
        self.ak1 = elements(segment, 3)

    def on_ak2(self, segment: list[str]) -> None:
        if self.ak2 is not None:
            raise MappingError("AK2 before the IK5 of the previous transaction set")
        self.ak2 = elements(segment, 3)

    def on_ik3(self, segment: list[str]) -> None:
        if self.ak2 is None:
            raise MappingError("IK3 outside an AK2 loop")
        self.finish_segment_error()
        self.ik3 = elements(segment, 4)

    def on_ik4(self, segment: list[str]) -> None:
        if self.ik3 is None:
            raise MappingError("IK4 outside an IK3 loop")
        ik4 = elements(segment, 3)
        position, component, repetition = (ik4[1].split(self.component) + ["", ""])[:3]
        self.element_errors.append(
            ElementError(
                integer(position, "IK401-1"),
                ik4[3],
                integer(component, "IK401-2") if component else None,
                integer(repetition, "IK401-3") if repetition else None,
                ik4[2] or None,
            )
        )

    def on_ik5(self, segment: list[str]) -> None:
        if self.ak2 is None:
            raise MappingError("IK5 outside an AK2 loop")
        self.finish_segment_error()
        ik5 = elements(segment, 1)
        ak2 = self.ak2
        self.sets.append(
            TransactionSetAcknowledgement(
                ak2[1],
                ak2[2],
                ik5[1],
                ak2[3] or None,
                tuple(code for code in ik5[2:7] if code),
                tuple(self.segment_errors),
            )
        )
        self.ak2, self.segment_errors = None, []

    def on_ak9(self, segment: list[str]) -> None:
        self.ak9 = elements(segment, 4)

    def result(self) -> FunctionalAcknowledgement:
        if self.ak2 is not None:
            raise MappingError("AK2 loop without IK5")
        if self.ak1 is None or self.ak9 is None:
            raise MappingError("a 999 needs AK1 and AK9")
        ak1, ak9 = self.ak1, self.ak9
        return FunctionalAcknowledgement(
            control_number=self.transaction.control_number,
            functional_id=ak1[1],
            group_control_number=ak1[2],
            status=ak9[1],
            sets_included=integer(ak9[2], "AK902"),
            sets_received=integer(ak9[3], "AK903"),
            sets_accepted=integer(ak9[4], "AK904"),
            version=ak1[3] or None,
            error_codes=tuple(code for code in ak9[5:10] if code),
            transactions=tuple(self.sets),
        )


def read_acknowledgement(segments: list[list[str]], transaction: TransactionSet) -> FunctionalAcknowledgement:
    reader = _AcknowledgementReader(transaction)
    handlers = {
        "AK1": reader.on_ak1,
        "AK2": reader.on_ak2,
        "IK3": reader.on_ik3,
        "IK4": reader.on_ik4,
        "IK5": reader.on_ik5,
        "AK9": reader.on_ak9,
    }
    return run(segments, transaction, handlers, reader.result)
