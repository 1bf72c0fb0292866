"""Partner simulator settings (RCM_SIM_*): the seed and the clearinghouse's and payers' behaviour."""

from pydantic import Field

from shared.settings import ServiceSettings
from simulator.faults import PartnerFaults


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
    # Partner faults (simulator/faults.py), off unless set; `rcm demo` turns them on at modest rates.
    sim_duplicate_835_rate: float = Field(default=0.0, ge=0, le=1)  # an 835 file sent twice
    sim_late_835_rate: float = Field(default=0.0, ge=0, le=1)  # an 835 held back ...
    sim_late_835_seconds: float = Field(default=20.0, ge=0)  # ... this long
    sim_batch_reject_rate: float = Field(default=0.0, ge=0, le=1)  # a 999 that rejects a whole batch
    sim_lost_271_rate: float = Field(default=0.0, ge=0, le=1)  # a 270 never answered
    sim_clearinghouse_down_seconds: float = Field(default=0.0, ge=0)  # down this long at the end of ...
    sim_clearinghouse_down_every_seconds: float = Field(default=600.0, gt=0)  # ... every period this long
    sim_interest_rate: float = Field(default=0.0, ge=0, le=1)  # an 835 adds interest (PLB L6)

    def partner_faults(self) -> PartnerFaults:
        return PartnerFaults(
            duplicate_835_rate=self.sim_duplicate_835_rate, late_835_rate=self.sim_late_835_rate,
            late_835_seconds=self.sim_late_835_seconds, batch_reject_rate=self.sim_batch_reject_rate,
            lost_271_rate=self.sim_lost_271_rate, clearinghouse_down_seconds=self.sim_clearinghouse_down_seconds,
            clearinghouse_down_every_seconds=self.sim_clearinghouse_down_every_seconds,
            interest_rate=self.sim_interest_rate)
