"""999, 277CA, 270 and 271: counts that agree with the sets they report, and sound hierarchies."""

from __future__ import annotations

from shared.x12.errors import Issue
from shared.x12.separators import Separators
from shared.x12.validation.rules.base import Hierarchy, Rules, element
from shared.x12.values import small_whole

ACCEPTED = frozenset({"A", "E"})


class AcknowledgementRules(Rules):
    def __init__(self, issues: list[Issue], separators: Separators) -> None:
        super().__init__(issues, separators)
        self.sets = 0
        self.accepted = 0
        self.errors_in_set = False
        self.handlers.update(AK2=self.on_ak2, IK3=self.on_ik3, IK5=self.on_ik5, AK9=self.on_ak9)

    def on_ak2(self, index: int, loop: str, segment: list[str]) -> None:
        self.sets += 1
        self.errors_in_set = False

    def on_ik3(self, index: int, loop: str, segment: list[str]) -> None:
        self.errors_in_set = True

    def on_ik5(self, index: int, loop: str, segment: list[str]) -> None:
        status = element(segment, 1)
        if status in ACCEPTED:
            self.accepted += 1
        elif not self.errors_in_set and not element(segment, 2):
            self.report(index, "IK5", "a rejected transaction set should say why (IK502 or IK3 loops)", loop, "warning")

    def on_ak9(self, index: int, loop: str, segment: list[str]) -> None:
        status = element(segment, 1)
        numbers = [small_whole(element(segment, position)) for position in (2, 3, 4)]
        if None in numbers:
            return
        _included, received, accepted = numbers
        if accepted > received:
            self.report(index, "AK9", "AK904 accepted count exceeds AK903 received count", loop)
        if self.sets and self.sets == received and accepted != self.accepted:
            self.report(
                index,
                "AK9",
                f"AK904 says {accepted} sets were accepted, but the IK5 segments accept {self.accepted}",
                loop,
            )
        if status in ACCEPTED and accepted != received:
            self.report(index, "AK9", "AK901 accepts the group, but not every set received was accepted", loop)
        elif status == "P" and not 0 < accepted < received:
            self.report(index, "AK9", "AK901 P (partially accepted) needs some, but not all, sets accepted", loop)
        elif status == "R" and accepted:
            self.report(index, "AK9", "AK901 R rejects the group, but AK904 counts accepted sets", loop)


class HierarchicalRules(Rules):
    """277CA, 270 and 271: the HL hierarchy holds together."""

    def __init__(self, issues: list[Issue], separators: Separators) -> None:
        super().__init__(issues, separators)
        self.hierarchy = Hierarchy(self)
        self.handlers.update(HL=self.hierarchy.check)

    def finish(self) -> None:
        self.hierarchy.finish()
