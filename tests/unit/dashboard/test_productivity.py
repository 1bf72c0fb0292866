from datetime import UTC, datetime, timedelta

from dashboard.productivity import is_work, productivity

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _record(actor: str, action: str, subject: str, minutes: float, *, read: bool = False) -> dict:
    return {"actor": actor, "action": action, "subject_id": subject, "at": T0 + timedelta(minutes=minutes), "read": read}


def test_items_worked_per_person_and_day_and_the_median_time_from_take_to_work() -> None:
    records = [
        _record("ann", "CODING_REVIEW_TAKEN", "enc_1", 0),
        _record("ann", "CODING_NOTE_READ", "enc_1", 1, read=True),
        _record("ann", "CODING_REVIEW_DECIDED_ACCEPT", "enc_1", 4),
        _record("ann", "CODING_REVIEW_TAKEN", "enc_2", 5),
        _record("ann", "CODING_REVIEW_DECIDED_KEEP", "enc_2", 15),
        _record("ann", "CODING_REVIEW_TAKEN", "enc_3", 16),
        _record("ann", "CODING_REVIEW_RELEASED", "enc_3", 17),  # released, not worked
        _record("bo", "WORK_ITEM_RESOLVED_WRITE_OFF", "dnl_1", 20),  # worked without taking it first
        _record("bo", "WORK_ITEM_RESOLVED_APPEAL", "dnl_2", 60 * 24 + 5),  # the next day
    ]
    assert productivity(records) == [
        {"actor": "ann", "day": "2026-03-02", "items_worked": 2, "median_minutes_to_work": 7.0},
        {"actor": "bo", "day": "2026-03-02", "items_worked": 1, "median_minutes_to_work": None},
        {"actor": "bo", "day": "2026-03-03", "items_worked": 1, "median_minutes_to_work": None},
    ]


def test_takes_releases_and_reads_are_not_work() -> None:
    assert not is_work(_record("a", "WORK_ITEM_TAKEN", "x", 0))
    assert not is_work(_record("a", "CODING_REVIEW_RELEASED", "x", 0))
    assert not is_work(_record("a", "APPEAL_LETTER_READ", "x", 0, read=True))
    assert is_work(_record("a", "PATIENT_PAYMENT_RECORDED", "x", 0))
