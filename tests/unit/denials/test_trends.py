from datetime import date

from services.denials.trends import denial_trends, trends_as_json
from tests.unit.denials.builders import a_work_item


def _items():
    return [
        a_work_item("d1", amount="100.00", category="MEDICAL_NECESSITY", payer_id="P1", procedure_codes=("99214",),
                    rendering_npi="1111111111", payment_date=date(2025, 3, 31)),  # ISO week 2025-W14
        a_work_item("d2", amount="50.00", category="MEDICAL_NECESSITY", payer_id="P2",
                    procedure_codes=("99214", "93000"), rendering_npi="2222222222", payment_date=date(2025, 4, 6)),
        a_work_item("d3", amount="25.00", category="DUPLICATE", payer_id="P1", procedure_codes=(),
                    rendering_npi=None, payment_date=date(2025, 4, 7)),  # W15
    ]


def test_denials_are_counted_and_summed_by_category_and_payer() -> None:
    trends = trends_as_json(denial_trends(_items()))

    assert trends["category"] == {"DUPLICATE": {"count": 1, "amount": "25.00"},
                                  "MEDICAL_NECESSITY": {"count": 2, "amount": "150.00"}}
    assert trends["payer"] == {"P1": {"count": 2, "amount": "125.00"}, "P2": {"count": 1, "amount": "50.00"}}


def test_denials_are_counted_by_rendering_provider_with_unknown_for_older_denials() -> None:
    assert trends_as_json(denial_trends(_items()))["provider"] == {
        "1111111111": {"count": 1, "amount": "100.00"}, "2222222222": {"count": 1, "amount": "50.00"},
        "unknown": {"count": 1, "amount": "25.00"}}


def test_a_denial_counts_once_for_each_of_its_procedures() -> None:
    assert trends_as_json(denial_trends(_items()))["procedure"] == {
        "93000": {"count": 1, "amount": "50.00"}, "99214": {"count": 2, "amount": "150.00"},
        "unknown": {"count": 1, "amount": "25.00"}}


def test_denials_are_grouped_by_the_iso_week_of_the_payers_decision_in_time_order() -> None:
    weeks = trends_as_json(denial_trends(_items()))["week"]

    assert list(weeks) == ["2025-W14", "2025-W15"]
    assert weeks["2025-W14"] == {"count": 2, "amount": "150.00"}


def test_no_denials_give_empty_trends() -> None:
    assert trends_as_json(denial_trends([])) == {name: {} for name in ("category", "payer", "provider", "procedure", "week")}
