"""835 (005010X221A1)."""

from __future__ import annotations

from shared.x12.validation.dsl import Guide, composite, loop, segment, with_codes
from shared.x12.validation.guides.common import (
    AMT,
    CAS,
    COMMON,
    DTM,
    NM1,
    OPTIONAL_PROCEDURE,
    PER,
    PROCEDURE,
    QTY,
    REF,
)

PLB_REASONS = "50,51,72,90,AH,AM,AP,B2,B3,BD,BN,C5,CR,CS,CT,CV,CW,DM,E3,FB,FC,GO,HM,IP,IR,IS,J1,L3,L6,LE,LS,OA,OB,PI,PL,RA,RE,SL,TL,WO,WU"
_PLB_PAIR = (composite("S", f"R ID 2/2 {PLB_REASONS}", "S AN 1/50"), "S $ 1/18")

REMITTANCE = Guide(
    version="005010X221A1",
    root=loop(
        "HEADER",
        "ST",
        "BPR TRN CUR REF DTM",
        loop("1000A", "N1 PR", "N3 N4 REF PER", required="N3 N4 PER"),
        loop("1000B", "N1 PE", "N3 N4 REF RDM"),
        loop(
            "2000",
            "LX",
            "TS3 TS2",
            loop(
                "2100",
                "CLP",
                "CAS NM1 MIA MOA REF DTM PER AMT QTY",
                loop("2110", "SVC", "DTM CAS REF AMT QTY LQ"),
                required="NM1",
            ),
            required="2100",
        ),
        loop("FOOTER", "PLB", "PLB"),
        required="BPR TRN 1000A 1000B",
    ),
    specs={
        **COMMON,
        "BPR": segment(
            "BPR",
            "R ID 1/2 C,D,H,I,P,U,X",
            "R $ 1/18",
            "R ID 1/1 C,D",
            "R ID 3/3 ACH,BOP,CHK,FWT,NON",
            "S ID 1/10 CCP,CTX",
            "S ID 2/2 01,04",
            "S AN 3/12",
            "S ID 1/3 DA",
            "S AN 1/35",
            "S AN 10/10",
            "S AN 9/9",
            "S ID 2/2 01,04",
            "S AN 3/12",
            "S ID 1/3 DA,SG",
            "S AN 1/35",
            "R DT 8/8",
            "N",
            "N",
            "N",
            "N",
            "N",
        ),
        "TRN": segment("TRN", "R ID 1/2 1", "R AN 1/50", "R AN 10/10", "S AN 1/50"),
        "CUR": segment("CUR", "R ID 2/3 PR", "R ID 3/3", *(["N"] * 19)),
        "N1": segment("N1", "R ID 2/3 PR,PE", "R AN 1/60", "S ID 1/2 FI,XV,XX", "S AN 2/80", "N", "N", pairs=((3, 4),)),
        "LX": segment("LX", "R N0 1/6"),
        "TS3": segment("TS3", "R AN 1/50", "R AN 1/2", "R DT 8/8", "R R 1/15", "R $ 1/18", *(["S $ 1/18"] * 19)),
        "TS2": segment("TS2", *(["S $ 1/18"] * 19)),
        "RDM": segment("RDM", "R ID 1/2 BM,EM,FT,OL", "S AN 1/60", "S AN 1/256", "N", "N"),
        "PLB": segment(
            "PLB",
            "R AN 1/50",
            "R DT 8/8",
            composite("R", f"R ID 2/2 {PLB_REASONS}", "S AN 1/50"),
            "R $ 1/18",
            *(_PLB_PAIR * 5),
            pairs=((5, 6), (7, 8), (9, 10), (11, 12), (13, 14)),
        ),
    },
    loop_specs={
        "HEADER": {"REF": with_codes(REF, 1, "EV,F2"), "DTM": with_codes(DTM, 1, "405")},
        "1000A": {
            "N1": segment("N1", "R ID 2/3 PR", "R AN 1/60", "S ID 1/2 XV", "S AN 2/80", "N", "N", pairs=((3, 4),)),
            "REF": with_codes(REF, 1, "2U,EO,HI,NF"),
            "PER": with_codes(PER, 1, "CX,BL,IC"),
        },
        "1000B": {
            "N1": segment("N1", "R ID 2/3 PE", "R AN 1/60", "R ID 1/2 FI,XV,XX", "R AN 2/80", "N", "N"),
            "REF": with_codes(REF, 1, "0B,D3,PQ,TJ"),
        },
        "2100": {
            "CLP": segment(
                "CLP",
                "R AN 1/38",
                "R ID 1/2 1,2,3,4,19,20,21,22,23,25",
                "R $ 1/18",
                "R $ 1/18",
                "S $ 1/18",
                "R ID 1/2 12,13,14,15,16,17,AM,CH,DS,HM,LM,MA,MB,MC,OF,TV,VA,WC,ZZ",
                "R AN 1/50",
                "S AN 1/2",
                "S ID 1/1",
                "N",
                "S ID 1/4",
                "S R 1/15",
                "S R 1/10",
                "N",
            ),
            "CAS": with_codes(CAS, 1, "CO,OA,PI,PR"),
            "NM1": with_codes(
                with_codes(NM1, 1, "QC,IL,74,82,TT,PR,GB"), 8, "34,HN,II,MI,MR,FI,C,BD,BS,MC,PC,SL,UP,XX,AD,NI,PI,PP,XV"
            ),
            "REF": with_codes(REF, 1, "1L,1W,28,6P,9A,9C,BB,CE,EA,F8,G1,G3,IG,SY,0B,1A,1B,1C,1D,1G,1H,1J,D3,G2,LU"),
            "DTM": with_codes(DTM, 1, "232,233,036,050"),
            "PER": with_codes(PER, 1, "CX"),
            "AMT": with_codes(AMT, 1, "AU,D8,DY,F5,I,NL,T,T2,ZK,ZL,ZM,ZN,ZO"),
            "QTY": with_codes(QTY, 1, "CA,CD,LA,LE,NE,NR,OU,PS,VS,ZK,ZL,ZM,ZN,ZO"),
        },
        "2110": {
            "SVC": segment(
                "SVC", PROCEDURE, "R $ 1/18", "R $ 1/18", "S AN 1/48", "S R 1/15", OPTIONAL_PROCEDURE, "S R 1/15"
            ),
            "DTM": with_codes(DTM, 1, "150,151,472"),
            "CAS": with_codes(CAS, 1, "CO,OA,PI,PR"),
            "REF": with_codes(REF, 1, "1S,APC,BB,E9,G1,G3,LU,RB,6R,0B,1A,1B,1C,1D,1G,1H,1J,D3,G2,HPI,SY,TJ,0K"),
            "AMT": with_codes(AMT, 1, "B6,KH,T,T2,ZK,ZL,ZM,ZN,ZO"),
            "QTY": with_codes(QTY, 1, "ZK,ZL,ZM,ZN,ZO"),
            "LQ": segment("LQ", "R ID 1/3 HE,RX", "R AN 1/30"),
        },
    },
)
