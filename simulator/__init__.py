"""The payer and clearinghouse simulator: a synthetic world, an EHR feed, 277CA acks and 835s.

Pure and deterministic: every function takes its seed, dates and ids as arguments and does no I/O,
so the same inputs always give the same visits, acknowledgements and remittances.

- population: practices (tenants), providers, synthetic patients, payers, chargemasters
- feed: visits as RegistrationRequested, with known errors injected at set rates
- clearinghouse: accepts or rejects each claim of a submitted batch (277CA)
- payer: adjudicates claims into a balanced remittance (835)
"""
