"""Public code sets and identifier rules (NPI, ICD-10-CM, HCPCS Level II, place of service)."""
