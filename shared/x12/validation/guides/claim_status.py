"""277CA (005010X214)."""

from __future__ import annotations

from shared.x12.validation.dsl import Guide, composite, loop, segment, with_codes
from shared.x12.validation.guides.common import (
    AMT,
    COMMON,
    DTP,
    NM1,
    OPTIONAL_PROCEDURE,
    PROCEDURE,
    QTY,
    REF,
)

_STATUS = composite("R", "R AN 1/30", "R AN 1/30", "S ID 2/3")
_MORE_STATUS = composite("S", "R AN 1/30", "R AN 1/30", "S ID 2/3")


def _stc(date: str, action: str, charge: str):
    return segment(
        "STC",
        _STATUS,
        f"{date} DT 8/8",
        f"{action} ID 1/2 U,WQ",
        f"{charge} $ 1/18",
        "N",
        "N",
        "N",
        "N",
        "N",
        _MORE_STATUS,
        _MORE_STATUS,
        "S AN 1/264",
    )


CLAIM_STATUS = Guide(
    version="005010X214",
    root=loop(
        "HEADER",
        "ST",
        "BHT",
        loop(
            "2000A",
            "HL 20",
            "",
            loop("2100A", "NM1", ""),
            loop("2200A", "TRN", "DTP", required="DTP"),
            loop(
                "2000B",
                "HL 21",
                "",
                loop("2100B", "NM1", ""),
                loop("2200B", "TRN", "STC QTY AMT", required="STC"),
                loop(
                    "2000C",
                    "HL 19",
                    "",
                    loop("2100C", "NM1", ""),
                    loop("2200C", "TRN", "STC REF QTY AMT"),
                    loop(
                        "2000D",
                        "HL PT",
                        "",
                        loop("2100D", "NM1", ""),
                        loop(
                            "2200D",
                            "TRN",
                            "STC REF DTP",
                            loop("2220D", "SVC", "STC REF DTP", required="STC"),
                            required="STC",
                        ),
                        required="2100D",
                    ),
                    required="2100C",
                ),
                required="2100B",
            ),
            required="2100A",
        ),
        required="BHT 2000A",
    ),
    specs={
        **COMMON,
        "BHT": segment("BHT", "R ID 4/4 0085", "R ID 2/2 08", "R AN 1/50", "R DT 8/8", "R TM 4/8", "R ID 2/2 TH"),
        "NM1": with_codes(NM1, 1, "PR,AY,41,85,QC"),
        "STC": _stc("S", "R", "R"),
        "REF": with_codes(REF, 1, "0B,1G,G2,LU,SY,TJ,1K,D9,BLT,FJ,XZ"),
        "DTP": with_codes(DTP, 1, "050,009,472"),
        "QTY": with_codes(QTY, 1, "90,AA,QA,QC"),
        "AMT": with_codes(AMT, 1, "YU,YY"),
        "SVC": segment("SVC", PROCEDURE, "R $ 1/18", "S $ 1/18", "S AN 1/48", "N", OPTIONAL_PROCEDURE, "S R 1/15"),
    },
    loop_specs={
        "2200B": {"STC": _stc("R", "R", "R")},
        "2200D": {"STC": _stc("R", "R", "R")},
        "2220D": {"STC": _stc("R", "R", "S")},
    },
)
