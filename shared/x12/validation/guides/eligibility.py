"""270 and 271 (005010X279A1)."""

from __future__ import annotations

from shared.x12.validation.dsl import Guide, composite, loop, segment, with_codes
from shared.x12.validation.guides.common import COMMON, DTP

COVERAGE_LEVELS = "CHD,DEP,ECH,EMP,ESP,FAM,IND,SPC,SPO,TWO"
BENEFIT_CODES = "1,2,3,4,5,6,7,8,A,B,C,CB,D,E,F,G,H,I,J,K,L,M,MC,N,O,P,Q,R,S,T,U,V,W,X,Y"
_MEDICAL_PROCEDURE = composite(
    "S", "R ID 2/2 AD,CJ,HC,ID,IV,N4,ZZ", "R AN 1/48", "S AN 2/2", "S AN 2/2", "S AN 2/2", "S AN 2/2", "N", "S AN 1/48"
)
_POINTERS = composite("S", "R N0 1/2", "S N0 1/2", "S N0 1/2", "S N0 1/2")

_SPECS = {
    **COMMON,
    "DMG": segment("DMG", "S ID 2/3 D8", "S AN 1/35", "S ID 1/1 F,M,U", "N", "N", "N", "N", "N", "N", "N", "N"),
    "DTP": with_codes(
        DTP, 1, "096,102,152,291,307,318,340,341,342,343,346,347,348,349,356,357,435,442,458,472,539,540,636,771"
    ),
    "INS": segment(
        "INS",
        "R ID 1/1 Y,N",
        "R ID 2/2",
        "S ID 3/3",
        "S ID 2/3",
        "N",
        "N",
        "N",
        "N",
        "S ID 1/1",
        "N",
        "N",
        "N",
        "N",
        "N",
        "N",
        "N",
        "S AN 1/9",
    ),
    "AAA": segment("AAA", "R ID 1/1 N,Y", "N", "S ID 2/2", "S ID 1/1 C,N,P,R,S,W,X,Y"),
    "MSG": segment("MSG", "R AN 1/264", "N", "N"),
    "LS": segment("LS", "R AN 1/4"),
    "LE": segment("LE", "R AN 1/4"),
    "EQ": segment("EQ", "S ID 1/2 *", _MEDICAL_PROCEDURE, f"S ID 3/3 {COVERAGE_LEVELS}", "N", _POINTERS),
    "EB": segment(
        "EB",
        f"R ID 1/2 {BENEFIT_CODES}",
        f"S ID 3/3 {COVERAGE_LEVELS}",
        "S ID 1/2 *",
        "S ID 1/3",
        "S AN 1/50",
        "S ID 1/2",
        "S $ 1/18",
        "S R 1/10",
        "S ID 2/2",
        "S R 1/15",
        "S ID 1/1 N,U,Y",
        "S ID 1/1 N,U,W,Y",
        _MEDICAL_PROCEDURE,
        _POINTERS,
    ),
}


def _hierarchy(subscriber_segments: str, benefit: str, benefit_segments: str, *, response: bool):
    """2000A..2000D with their name (2100x) and benefit (2110x) loops; a 271 adds 2120x inside LS/LE."""
    related = (loop("2120", "NM1", "N3 N4 PER PRV"),) if response else ()

    def person(level: str, hl: str) -> object:
        return loop(
            f"2000{level}",
            f"HL {hl}",
            "TRN",
            loop(f"2100{level}", "NM1", subscriber_segments),
            loop(f"2110{level}", benefit, benefit_segments, *related),
            required=f"2100{level}",
        )

    dependent = person("D", "23")
    subscriber = loop(
        "2000C",
        "HL 22",
        "TRN",
        loop("2100C", "NM1", subscriber_segments),
        loop("2110C", benefit, benefit_segments, *related),
        dependent,
        required="2100C",
    )
    source_extra = "AAA" if response else ""
    receiver = loop(
        "2000B", "HL 21", "", loop("2100B", "NM1", "REF N3 N4 PRV " + source_extra), subscriber, required="2100B"
    )
    source = loop(
        "2000A", "HL 20", source_extra, loop("2100A", "NM1", "PER " + source_extra), receiver, required="2100A"
    )
    return loop("HEADER", "ST", "BHT", source, required="BHT 2000A")


INQUIRY = Guide(
    version="005010X279A1",
    root=_hierarchy("REF N3 N4 PRV DMG INS HI DTP", "EQ", "AMT III REF DTP", response=False),
    specs={
        **_SPECS,
        "BHT": segment("BHT", "R ID 4/4 0022", "R ID 2/2 01,13,36", "S AN 1/50", "R DT 8/8", "R TM 4/8", "S ID 2/2 RT"),
    },
)

RESPONSE = Guide(
    version="005010X279A1",
    root=_hierarchy("REF N3 N4 AAA PRV DMG INS HI DTP MPI", "EB", "HSD REF DTP AAA MSG III LS LE", response=True),
    specs={
        **_SPECS,
        "BHT": segment("BHT", "R ID 4/4 0022", "R ID 2/2 06,11", "S AN 1/50", "R DT 8/8", "R TM 4/8", "N"),
    },
)
