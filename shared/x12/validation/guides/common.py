"""Segments whose element rules are the same in every guide we validate, and shared code lists."""

from __future__ import annotations

from shared.x12.validation.dsl import composite, segment

CLAIM_FILING_CODES = "11,12,13,14,15,16,17,AM,BL,CH,CI,DS,FI,HM,LM,MA,MB,MC,OF,TV,VA,WC,ZZ"
PAYER_RESPONSIBILITY = "A,B,C,D,E,F,G,H,P,S,T,U"
INDIVIDUAL_RELATIONSHIP = "01,18,19,20,21,39,40,53,G8"
CAS_TRIPLETS = ("S ID 1/5", "S $ 1/18", "S R 1/15") * 5

N3 = segment("N3", "R AN 1/55", "S AN 1/55")
N4 = segment("N4", "R AN 2/30", "S ID 2/2", "S ID 3/15", "S ID 2/3", "N", "N", "S ID 1/3")
REF = segment("REF", "R ID 2/3", "R AN 1/50", "N", "N")
DTP = segment("DTP", "R ID 3/3", "R ID 2/3 D8,RD8,DT,TM", "R AN 1/35")
DTM = segment("DTM", "R ID 3/3", "R DT 8/8", "N", "N", "N", "N")
PER = segment(
    "PER",
    "R ID 2/2",
    "S AN 1/60",
    "S ID 2/2 ED,EM,EX,FX,TE,UR",
    "S AN 1/256",
    "S ID 2/2 ED,EM,EX,FX,TE,UR",
    "S AN 1/256",
    "S ID 2/2 ED,EM,EX,FX,TE,UR",
    "S AN 1/256",
    "N",
    pairs=((3, 4), (5, 6), (7, 8)),
)
NM1 = segment(
    "NM1",
    "R ID 2/3",
    "R ID 1/1 1,2",
    "S AN 1/60",
    "S AN 1/35",
    "S AN 1/25",
    "S AN 1/10",
    "S AN 1/10",
    "S ID 1/2",
    "S AN 2/80",
    "N",
    "N",
    "N",
    pairs=((8, 9),),
)
CAS = segment(
    "CAS",
    "R ID 1/2 CO,CR,OA,PI,PR",
    "R ID 1/5",
    "R $ 1/18",
    "S R 1/15",
    *CAS_TRIPLETS,
    pairs=((5, 6), (8, 9), (11, 12), (14, 15), (17, 18)),
)
AMT = segment("AMT", "R ID 1/3", "R $ 1/18", "N")
HL = segment("HL", "R AN 1/12", "S AN 1/12", "R ID 1/2", "S ID 1/1 0,1")
LX = segment("LX", "R N0 1/6")
QTY = segment("QTY", "R ID 2/2", "R R 1/15", "N", "N")
PRV = segment("PRV", "R ID 1/3", "R ID 2/3 PXC", "R AN 1/50", "N", "N", "N")
TRN = segment("TRN", "R ID 1/2 1,2", "R AN 1/50", "S AN 10/10", "S AN 1/50")
DMG = segment("DMG", "R ID 2/3 D8", "R AN 1/35", "R ID 1/1 F,M,U", "N", "N", "N", "N", "N", "N", "N", "N")
MOA = segment(
    "MOA",
    "S R 1/10",
    "S $ 1/18",
    "S AN 1/50",
    "S AN 1/50",
    "S AN 1/50",
    "S AN 1/50",
    "S AN 1/50",
    "S $ 1/18",
    "S $ 1/18",
)
MIA = segment(
    "MIA",
    "R R 1/15",
    "S $ 1/18",
    "S R 1/15",
    "S $ 1/18",
    "S AN 1/50",
    *(["S $ 1/18"] * 9),
    "S R 1/15",
    *(["S $ 1/18"] * 4),
    *(["S AN 1/50"] * 4),
    "S $ 1/18",
)
NTE = segment("NTE", "R ID 3/3", "R AN 1/80")
PROCEDURE = composite(
    "R",
    "R ID 2/2 AD,ER,HC,HP,IV,N4,N6,NU,UI,WK",
    "R AN 1/48",
    "S AN 2/2",
    "S AN 2/2",
    "S AN 2/2",
    "S AN 2/2",
    "S AN 1/80",
)
OPTIONAL_PROCEDURE = composite(
    "S",
    "R ID 2/2 AD,ER,HC,HP,IV,N4,N6,NU,UI,WK",
    "R AN 1/48",
    "S AN 2/2",
    "S AN 2/2",
    "S AN 2/2",
    "S AN 2/2",
    "S AN 1/80",
)

COMMON = {
    "N3": N3,
    "N4": N4,
    "REF": REF,
    "DTP": DTP,
    "DTM": DTM,
    "PER": PER,
    "NM1": NM1,
    "CAS": CAS,
    "AMT": AMT,
    "HL": HL,
    "LX": LX,
    "QTY": QTY,
    "PRV": PRV,
    "TRN": TRN,
    "DMG": DMG,
    "MOA": MOA,
    "MIA": MIA,
    "NTE": NTE,
}

# Segments whose values are PHI or free text: validation messages never quote their values.
PHI_SEGMENTS = frozenset(
    {
        "NM1",
        "N1",
        "N2",
        "N3",
        "N4",
        "DMG",
        "REF",
        "PER",
        "PAT",
        "INS",
        "TRN",
        "NTE",
        "MSG",
        "K3",
        "AAA",
        "IK4",
        "CTX",
        "III",
        "HI",
    }
)
