"""Partner simulator settings (RCM_SIM_*): the seed and the clearinghouse's and payers' behaviour."""

from pydantic import Field

from shared.settings import ServiceSettings


class SimulatorSettings(ServiceSettings):
    sim_seed: int = 2026
    sim_reject_rate: float = Field(default=0.02, ge=0, le=1)  # clearinghouse 277CA rejections
    sim_deny_rate: float = Field(default=0.08, ge=0, le=1)  # whole-claim denials
    sim_partial_rate: float = Field(default=0.05, ge=0, le=1)  # one line denied
    # Only these 277CA rejections (status codes, e.g. "A7_254") and payer denial reasons (e.g.
    # "missing_modifier"), each with its usual weight; empty: all of them. For tests and demos of
    # one kind of correction.
    sim_rejections: str = ""
    sim_denial_reasons: str = ""
