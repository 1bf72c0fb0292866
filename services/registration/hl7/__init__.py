"""HL7 v2 feed: MLLP listener, message mapping and acknowledgements."""
