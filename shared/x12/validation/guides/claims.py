"""837P (005010X222A1) and 837I (005010X223A2)."""

from __future__ import annotations

from shared.x12.validation.dsl import Guide, composite, loop, segment, with_codes
from shared.x12.validation.guides.common import (
    AMT,
    CAS,
    CLAIM_FILING_CODES,
    COMMON,
    DMG,
    DTP,
    INDIVIDUAL_RELATIONSHIP,
    PAYER_RESPONSIBILITY,
    PER,
    PRV,
    REF,
)

BHT = segment("BHT", "R ID 4/4 0019", "R ID 2/2 00,18", "R AN 1/50", "R DT 8/8", "R TM 4/8", "R ID 2/2 CH,RP,31")
SUBSCRIBER_SBR = segment(
    "SBR",
    f"R ID 1/1 {PAYER_RESPONSIBILITY}",
    "S ID 2/2 18",
    "S AN 1/50",
    "S AN 1/60",
    "S ID 1/3 12,13,14,15,16,41,42,43,47",
    "N",
    "N",
    "N",
    f"S ID 1/2 {CLAIM_FILING_CODES}",
)
OTHER_SBR = segment(
    "SBR",
    f"R ID 1/1 {PAYER_RESPONSIBILITY}",
    f"R ID 2/2 {INDIVIDUAL_RELATIONSHIP}",
    "S AN 1/50",
    "S AN 1/60",
    "S ID 1/3 12,13,14,15,16,41,42,43,47",
    "N",
    "N",
    "N",
    f"S ID 1/2 {CLAIM_FILING_CODES}",
)
PAT = segment(
    "PAT",
    f"S ID 2/2 {INDIVIDUAL_RELATIONSHIP}",
    "N",
    "N",
    "N",
    "S ID 2/3 D8",
    "S AN 1/35",
    "S ID 2/2 01",
    "S R 1/10",
    "S ID 1/1 Y",
)
SVD_COMPOSITE = composite(
    "S", "R ID 2/2 ER,HC,HP,IV,WK", "R AN 1/48", "S AN 2/2", "S AN 2/2", "S AN 2/2", "S AN 2/2", "S AN 1/80"
)
SERVICE_PROCEDURE = composite(
    "R", "R ID 2/2 ER,HC,IV,WK", "R AN 1/48", "S AN 2/2", "S AN 2/2", "S AN 2/2", "S AN 2/2", "S AN 1/80"
)

PROFESSIONAL_HI_QUALIFIERS = "ABK,BK,ABF,BF,BP,BO,BG"
INSTITUTIONAL_HI_QUALIFIERS = "ABK,BK,ABJ,BJ,APR,PR,ABN,BN,DR,ABF,BF,BBR,BR,CAH,BBQ,BQ,BI,BH,BE,BG,TC"


def _hi(qualifiers: str):
    first = composite(
        "R",
        f"R ID 1/3 {qualifiers}",
        "R AN 1/30",
        "S ID 2/3 D8,RD8",
        "S AN 1/35",
        "S $ 1/18",
        "N",
        "N",
        "N",
        "S ID 1/1 N,U,W,Y",
    )
    rest = composite(
        "S",
        f"R ID 1/3 {qualifiers}",
        "R AN 1/30",
        "S ID 2/3 D8,RD8",
        "S AN 1/35",
        "S $ 1/18",
        "N",
        "N",
        "N",
        "S ID 1/1 N,U,W,Y",
    )
    return segment("HI", first, *([rest] * 11))


def _nm1(entity: str, kinds: str, *, name: str = "R", identifier: str = "S", id_codes: str = "XX") -> object:
    """NM1 of one loop: entity code, person/organization, whether NM103 and NM108/09 are required."""
    id_specs = ("N", "N") if identifier == "N" else (f"{identifier} ID 1/2 {id_codes}", f"{identifier} AN 2/80")
    last_name = "N" if name == "N" else f"{name} AN 1/60"
    first_name = "N" if name == "N" else "S AN 1/35"
    middle = "N" if name == "N" else "S AN 1/25"
    suffix = "N" if name == "N" else "S AN 1/10"
    return segment(
        "NM1",
        f"R ID 2/3 {entity}",
        f"R ID 1/1 {kinds}",
        last_name,
        first_name,
        middle,
        "N",
        suffix,
        *id_specs,
        "N",
        "N",
        "N",
        pairs=((8, 9),),
    )


HEADER_SPECS = {
    "1000A": {"NM1": _nm1("41", "1,2", identifier="R", id_codes="46"), "PER": with_codes(PER, 1, "IC")},
    "1000B": {"NM1": _nm1("40", "2", identifier="R", id_codes="46")},
    "2000A": {"HL": segment("HL", "R AN 1/12", "N", "R ID 1/2 20", "R ID 1/1 1"), "PRV": with_codes(PRV, 1, "BI")},
    "2010AA": {
        "NM1": _nm1("85", "1,2", identifier="R"),
        "REF": with_codes(REF, 1, "EI,SY,0B,1G"),
        "PER": with_codes(PER, 1, "IC"),
    },
    "2010AB": {"NM1": _nm1("87", "1,2", name="N", identifier="N")},
    "2000B": {
        "HL": segment("HL", "R AN 1/12", "R AN 1/12", "R ID 1/2 22", "R ID 1/1 0,1"),
        "SBR": SUBSCRIBER_SBR,
        "PAT": PAT,
    },
    "2010BA": {
        "NM1": _nm1("IL", "1,2", identifier="R", id_codes="II,MI"),
        "REF": with_codes(REF, 1, "SY,Y4"),
        "DMG": DMG,
    },
    "2010BB": {
        "NM1": _nm1("PR", "2", identifier="R", id_codes="PI,XV"),
        "REF": with_codes(REF, 1, "2U,EI,FY,NF,G2,LU"),
    },
    "2000C": {
        "HL": segment("HL", "R AN 1/12", "R AN 1/12", "R ID 1/2 23", "R ID 1/1 0"),
        "PAT": with_codes(PAT, 1, INDIVIDUAL_RELATIONSHIP),
    },
    "2010CA": {"NM1": _nm1("QC", "1", identifier="N"), "REF": with_codes(REF, 1, "Y4,1W,SY"), "DMG": DMG},
    "2320": {"SBR": OTHER_SBR, "CAS": CAS, "AMT": with_codes(AMT, 1, "D,A8,EAF")},
    "2330A": {"NM1": _nm1("IL", "1,2", identifier="R", id_codes="II,MI"), "REF": with_codes(REF, 1, "SY")},
    "2330B": {
        "NM1": _nm1("PR", "2", identifier="R", id_codes="PI,XV"),
        "DTP": segment("DTP", "R ID 3/3 573", "R ID 2/3 D8", "R AN 1/35"),
        "REF": with_codes(REF, 1, "2U,EI,FY,NF,G1,9F,T4,F8"),
    },
    "2430": {
        "CAS": CAS,
        "DTP": segment("DTP", "R ID 3/3 573", "R ID 2/3 D8", "R AN 1/35"),
        "AMT": with_codes(AMT, 1, "EAF"),
    },
}


def _claim_loops(claim_loop, *, professional: bool):
    """The 2000A/2000B/2000C hierarchy around `claim_loop` (2300 appears under 2000B and 2000C)."""
    patient_name = loop("2010CA", "NM1 QC", "N3 N4 DMG REF PER", required="N3 N4 DMG")
    patient = loop("2000C", "HL 23", "PAT", patient_name, claim_loop, required="PAT 2010CA 2300")
    subscriber = loop(
        "2000B",
        "HL 22",
        "SBR" + (" PAT" if professional else ""),
        loop("2010BA", "NM1 IL", "N3 N4 DMG REF PER"),
        loop("2010BB", "NM1 PR", "N3 N4 REF"),
        claim_loop,
        patient,
        required="SBR 2010BA 2010BB",
    )
    billing = loop(
        "2000A",
        "HL 20",
        "PRV CUR",
        loop("2010AA", "NM1 85", "N3 N4 REF PER", required="N3 N4 REF"),
        loop("2010AB", "NM1 87", "N3 N4", required="N3 N4"),
        loop("2010AC", "NM1 PE", "N3 N4 REF", required="N3 N4 REF"),
        subscriber,
        required="2010AA 2000B",
    )
    return loop(
        "HEADER",
        "ST",
        "BHT",
        loop("1000A", "NM1 41", "PER", required="PER"),
        loop("1000B", "NM1 40", ""),
        billing,
        required="BHT 1000A 1000B 2000A",
    )


# --- 837P --------------------------------------------------------------------------------------

_professional_line = loop(
    "2400",
    "LX",
    "SV1 SV5 PWK CR1 CR3 CRC DTP QTY MEA CN1 REF AMT K3 NTE PS1 HCP",
    loop("2410", "LIN", "CTP REF"),
    loop("2420A", "NM1 82", "PRV REF"),
    loop("2420B", "NM1 QB", "REF"),
    loop("2420C", "NM1 77", "N3 N4 REF"),
    loop("2420D", "NM1 DQ", "REF"),
    loop("2420E", "NM1 DK", "N3 N4 REF PER"),
    loop("2420F", "NM1 DN", "REF"),
    loop("2420F", "NM1 P3", "REF"),
    loop("2420G", "NM1 PW", "N3 N4"),
    loop("2420H", "NM1 45", "N3 N4"),
    loop("2430", "SVD", "CAS DTP AMT", required="DTP"),
    loop("2440", "LQ", "FRM"),
    required="SV1 DTP",
)
_professional_other_payer = loop(
    "2320",
    "SBR",
    "CAS AMT OI MOA",
    loop("2330A", "NM1 IL", "N3 N4 REF"),
    loop("2330B", "NM1 PR", "N3 N4 DTP REF"),
    loop("2330C", "NM1 DN", "REF"),
    loop("2330C", "NM1 P3", "REF"),
    loop("2330D", "NM1 82", "REF"),
    loop("2330E", "NM1 77", "REF"),
    loop("2330F", "NM1 DQ", "REF"),
    loop("2330G", "NM1 85", "REF"),
    required="OI 2330A 2330B",
)
_professional_claim = loop(
    "2300",
    "CLM",
    "DTP PWK CN1 AMT REF K3 NTE CR1 CR2 CRC HI HCP",
    loop("2310A", "NM1 DN", "REF"),
    loop("2310A", "NM1 P3", "REF"),
    loop("2310B", "NM1 82", "PRV REF"),
    loop("2310C", "NM1 77", "N3 N4 REF PER", required="N3 N4"),
    loop("2310D", "NM1 DQ", "REF"),
    loop("2310E", "NM1 PW", "N3 N4"),
    loop("2310F", "NM1 45", "N3 N4"),
    _professional_other_payer,
    _professional_line,
    required="HI 2400",
)

PROFESSIONAL = Guide(
    version="005010X222A1",
    root=_claim_loops(_professional_claim, professional=True),
    specs={**COMMON, "BHT": BHT},
    loop_specs={
        **HEADER_SPECS,
        "2300": {
            "CLM": segment(
                "CLM",
                "R AN 1/38",
                "R $ 1/18",
                "N",
                "N",
                composite("R", "R AN 1/2", "R ID 1/2 B", "R ID 1/1"),
                "R ID 1/1 N,Y",
                "R ID 1/1 A,B,C",
                "R ID 1/1 N,W,Y",
                "R ID 1/1 I,Y",
                "S ID 1/1 P",
                composite("S", "R ID 2/3 AA,EM,OA", "S ID 2/3 AA,EM,OA", "N", "S ID 2/2", "S ID 2/3"),
                "S ID 2/3 02,03,05,09",
                "N",
                "N",
                "N",
                "N",
                "N",
                "N",
                "N",
                "S ID 1/2 1,2,3,4,5,6,7,8,9,10,11,15",
            ),
            "DTP": with_codes(DTP, 1, "431,454,304,453,439,484,455,471,314,360,361,297,296,435,096,090,091,444,050"),
            "REF": with_codes(REF, 1, "4N,F5,EW,9F,G1,F8,X4,9A,9C,LX,D9,EA,P4,1J"),
            "AMT": with_codes(AMT, 1, "F5"),
            "HI": _hi(PROFESSIONAL_HI_QUALIFIERS),
        },
        "2310B": {"NM1": _nm1("82", "1,2"), "PRV": with_codes(PRV, 1, "PE"), "REF": with_codes(REF, 1, "0B,1G,G2,LU")},
        "2320": {
            **HEADER_SPECS["2320"],
            "OI": segment("OI", "N", "N", "R ID 1/1 N,W,Y", "S ID 1/1 P", "N", "R ID 1/1 I,Y"),
        },
        "2400": {
            "SV1": segment(
                "SV1",
                SERVICE_PROCEDURE,
                "R $ 1/18",
                "R ID 2/2 MJ,UN",
                "R R 1/15",
                "S AN 1/2",
                "N",
                composite(
                    "R",
                    "R N0 1/2 1,2,3,4,5,6,7,8,9,10,11,12",
                    "S N0 1/2 1,2,3,4,5,6,7,8,9,10,11,12",
                    "S N0 1/2 1,2,3,4,5,6,7,8,9,10,11,12",
                    "S N0 1/2 1,2,3,4,5,6,7,8,9,10,11,12",
                ),
                "N",
                "S ID 1/1 Y",
                "N",
                "S ID 1/1 Y",
                "S ID 1/1 Y",
                "N",
                "N",
                "S ID 1/1 0",
            ),
            "DTP": with_codes(DTP, 1, "472,471,607,463,461,304,738,739,011,455,454"),
            "REF": with_codes(REF, 1, "9B,9D,G1,6R,EW,X4,F4,BT,9F"),
            "AMT": with_codes(AMT, 1, "T,F4"),
        },
        "2430": {
            **HEADER_SPECS["2430"],
            "SVD": segment(
                "SVD", "R AN 2/80", "R $ 1/18", composite("R", *SVD_COMPOSITE.components), "N", "R R 1/15", "S N0 1/6"
            ),
        },
    },
)

# --- 837I --------------------------------------------------------------------------------------

_institutional_line = loop(
    "2400",
    "LX",
    "SV2 PWK DTP REF AMT NTE HCP",
    loop("2410", "LIN", "CTP REF"),
    loop("2420A", "NM1 72", "REF"),
    loop("2420B", "NM1 ZZ", "REF"),
    loop("2420C", "NM1 82", "REF"),
    loop("2420D", "NM1 DN", "REF"),
    loop("2430", "SVD", "CAS DTP AMT", required="DTP"),
    required="SV2",
)
_institutional_other_payer = loop(
    "2320",
    "SBR",
    "CAS AMT OI MIA MOA",
    loop("2330A", "NM1 IL", "N3 N4 REF"),
    loop("2330B", "NM1 PR", "N3 N4 DTP REF"),
    loop("2330C", "NM1 71", "REF"),
    loop("2330D", "NM1 72", "REF"),
    loop("2330E", "NM1 ZZ", "REF"),
    loop("2330F", "NM1 77", "REF"),
    loop("2330G", "NM1 82", "REF"),
    loop("2330H", "NM1 DN", "REF"),
    loop("2330I", "NM1 85", "REF"),
    required="OI 2330A 2330B",
)
_institutional_claim = loop(
    "2300",
    "CLM",
    "DTP CL1 PWK CN1 AMT REF K3 NTE CRC HI HCP",
    loop("2310A", "NM1 71", "PRV REF"),
    loop("2310B", "NM1 72", "REF"),
    loop("2310C", "NM1 ZZ", "REF"),
    loop("2310D", "NM1 82", "REF"),
    loop("2310E", "NM1 77", "N3 N4 REF", required="N3 N4"),
    loop("2310F", "NM1 DN", "REF"),
    _institutional_other_payer,
    _institutional_line,
    required="DTP CL1 HI 2400",
)

INSTITUTIONAL = Guide(
    version="005010X223A2",
    root=_claim_loops(_institutional_claim, professional=False),
    specs={**COMMON, "BHT": BHT},
    loop_specs={
        **HEADER_SPECS,
        "2300": {
            "CLM": segment(
                "CLM",
                "R AN 1/38",
                "R $ 1/18",
                "N",
                "N",
                composite("R", "R AN 1/2", "R ID 1/2 A", "R ID 1/1"),
                "N",
                "R ID 1/1 A,B,C",
                "R ID 1/1 N,W,Y",
                "R ID 1/1 I,Y",
                "N",
                "N",
                "N",
                "N",
                "N",
                "N",
                "N",
                "N",
                "N",
                "N",
                "S ID 1/2 1,2,3,4,5,6,7,8,9,10,11,15",
            ),
            "DTP": segment("DTP", "R ID 3/3 096,434,435,050", "R ID 2/3 D8,RD8,DT,TM", "R AN 1/35"),
            "CL1": segment("CL1", "S ID 1/1", "S ID 1/1", "R ID 1/2", "N"),
            "REF": with_codes(REF, 1, "4N,9F,G1,F8,9A,9C,LX,D9,LU,EA,P4,G4"),
            "AMT": with_codes(AMT, 1, "F3"),
            "HI": _hi(INSTITUTIONAL_HI_QUALIFIERS),
        },
        "2310A": {"NM1": _nm1("71", "1"), "PRV": with_codes(PRV, 1, "AT"), "REF": with_codes(REF, 1, "0B,1G,G2,LU")},
        "2310D": {"NM1": _nm1("82", "1"), "REF": with_codes(REF, 1, "0B,1G,G2,LU")},
        "2320": {
            **HEADER_SPECS["2320"],
            "SBR": segment(
                "SBR",
                f"R ID 1/1 {PAYER_RESPONSIBILITY}",
                f"R ID 2/2 {INDIVIDUAL_RELATIONSHIP}",
                "S AN 1/50",
                "S AN 1/60",
                "N",
                "N",
                "N",
                "N",
                f"S ID 1/2 {CLAIM_FILING_CODES}",
            ),
            "OI": segment("OI", "N", "N", "R ID 1/1 N,W,Y", "N", "N", "R ID 1/1 I,Y"),
        },
        "2400": {
            "SV2": segment(
                "SV2",
                "R AN 1/48",
                SVD_COMPOSITE,
                "R $ 1/18",
                "R ID 2/2 DA,UN",
                "R R 1/15",
                "N",
                "S $ 1/18",
                "N",
                "N",
                "N",
            ),
            "DTP": segment("DTP", "R ID 3/3 472", "R ID 2/3 D8,RD8", "R AN 1/35"),
            "REF": with_codes(REF, 1, "6R,9B,9D"),
            "AMT": with_codes(AMT, 1, "GT,N8"),
        },
        "2430": {
            **HEADER_SPECS["2430"],
            "SVD": segment("SVD", "R AN 2/80", "R $ 1/18", SVD_COMPOSITE, "R AN 1/48", "R R 1/15", "S N0 1/6"),
        },
    },
)
