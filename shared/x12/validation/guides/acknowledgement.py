"""999 (005010X231A1)."""

from __future__ import annotations

from shared.x12.validation.dsl import Guide, composite, loop, segment

SET_ERRORS = "1,2,3,4,5,6,7,8,9,10,11,12,13,15,16,17,18,19,23,24,25,26,27,I5,I6"
GROUP_ERRORS = "1,2,3,4,5,6,10,11,12,13,14,15,16,17,18,19,23,24,25,26"
_POSITION = composite("S", "R N0 1/2", "S N0 1/2", "S N0 1/4")

ACKNOWLEDGEMENT = Guide(
    version="005010X231A1",
    root=loop(
        "HEADER",
        "ST",
        "AK1 AK9",
        loop(
            "2000",
            "AK2",
            "IK5",
            loop("2100", "IK3", "CTX", loop("2110", "IK4", "CTX")),
            required="IK5",
        ),
        required="AK1 AK9",
    ),
    specs={
        "AK1": segment("AK1", "R ID 2/2 BE,FA,HB,HC,HI,HN,HP,HR,HS,RA", "R N0 1/9", "R AN 1/12"),
        "AK2": segment("AK2", "R ID 3/3 270,271,276,277,278,820,834,835,837,999", "R AN 4/9", "S AN 1/35"),
        "IK3": segment("IK3", "R ID 2/3", "R N0 1/6", "S AN 1/4", "S ID 1/3 1,2,3,4,5,6,7,8,I4,I6,I7,I8,I9"),
        "CTX": segment(
            "CTX",
            composite("R", "R AN 1/35", "S AN 1/35"),
            "S ID 2/3",
            "S N0 1/6",
            "S AN 1/4",
            _POSITION,
            composite("S", "R N0 1/4", "S N0 1/4"),
        ),
        "IK4": segment(
            "IK4",
            composite("R", "R N0 1/2", "S N0 1/2", "S N0 1/4"),
            "S N0 1/4",
            "R ID 1/3 1,2,3,4,5,6,7,8,9,10,11,12,13,I10,I11,I12,I13,I6,I9",
            "S AN 1/99",
        ),
        "IK5": segment("IK5", "R ID 1/1 A,E,M,R,W,X", *([f"S ID 1/3 {SET_ERRORS}"] * 5)),
        "AK9": segment(
            "AK9", "R ID 1/1 A,E,M,P,R,W,X", "R N0 1/6", "R N0 1/6", "R N0 1/6", *([f"S ID 1/3 {GROUP_ERRORS}"] * 5)
        ),
    },
)
