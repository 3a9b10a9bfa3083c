"""What the patient pays: the worked examples and the invariants of the insurance rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ketcost import Plan, PriceSheet, estimate, load_price_sheet
from ketcost.domain.money import cents, decimal, to_cents
from ketcost.domain.plan import Insurance
from ketcost.engine.charges import Allowed, CaseCharges, Charge, course_charges, session_charges
from ketcost.engine.insurance import Terms, case_pays, patient_pays
from ketcost.errors import InputError
from ketcost.wording import Ends


def pair(value: Ends) -> tuple[str, str]:
    return str(value.low), str(value.high)


def test_esketamine_with_deductible_coinsurance_and_cap(sheet: PriceSheet) -> None:
    terms = Insurance(deductible=1000, coinsurance=20, oop_max=3000)
    plan = Plan(
        route="esketamine", protocol="standard", weeks=4, insurance=terms, medication="included"
    )
    result = estimate(plan, sheet)
    assert pair(result.total) == ("4000.00", "10800.00")
    assert pair(result.out_of_pocket) == ("1600.00", "2960.00")
    assert result.insurance is not None
    assert result.insurance.covered
    assert pair(result.insurance.insurer_pays) == ("2400.00", "7840.00")


def test_discount_on_session_fees(sheet: PriceSheet) -> None:
    result = estimate(Plan(route="oral", weeks=4, discount=10), sheet)
    assert pair(result.out_of_pocket) == ("720.00", "3240.00")
    assert [i.kind for i in result.line_items] == ["session", "discount"]


def test_assistance_never_below_zero(sheet: PriceSheet) -> None:
    result = estimate(Plan(route="oral", weeks=4, assistance=1000), sheet)
    assert pair(result.total) == ("800.00", "3600.00")
    assert pair(result.out_of_pocket) == ("0.00", "2600.00")
    assert pair(result.assistance) == ("800.00", "1000.00")


def test_extra_per_session_and_discount_skips_add_ons(sheet: PriceSheet) -> None:
    plan = Plan.model_validate(
        {"route": "oral", "weeks": 4, "discount": 50, "extra": ["therapy=150-250/session"]}
    )
    result = estimate(plan, sheet)
    # Sessions 800–3600 halved to 400–1800; therapy 8 x 150 to 12 x 250 in full.
    assert pair(result.total) == ("1600.00", "4800.00")


def test_iv_is_not_covered_unless_asked(sheet: PriceSheet) -> None:
    terms = Insurance(coinsurance=20)
    plain = estimate(Plan(route="iv", weeks=4, insurance=terms), sheet)
    assert plain.out_of_pocket == plain.total
    assert any("--covered overrides" in line for line in plain.assumptions)
    forced = estimate(
        Plan(route="iv", weeks=4, insurance=terms.model_copy(update={"covered": True})), sheet
    )
    assert pair(forced.out_of_pocket) == ("640.00", "1920.00")


def test_unknown_add_on(sheet: PriceSheet) -> None:
    with pytest.raises(InputError, match="unknown add-on 'massage'"):
        estimate(Plan.model_validate({"route": "iv", "with": ["massage"]}), sheet)


@pytest.mark.parametrize(
    "fields",
    [
        {"discount": "101"},
        {"discount": "-1"},
        {"assistance": "-5"},
        {"insurance": {"coinsurance": "150"}},
        {"insurance": {"deductible": "abc"}},
        {"extra": ["therapy"]},
        {"extra": ["therapy=abc/session"]},
        {"extra": ["therapy=100/week"]},
    ],
)
def test_bad_values_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Plan.model_validate({"route": "iv", **fields})


SHEET = load_price_sheet()
amounts = st.decimals(min_value=0, max_value=5000, places=2)
percent = st.decimals(min_value=0, max_value=100, places=0)
cent_amounts = st.integers(0, 500_000)
charge_lists = st.lists(st.tuples(cent_amounts, st.booleans()), max_size=40)


@st.composite
def terms(draw: st.DrawFn) -> Insurance:
    return Insurance(
        deductible=draw(amounts),
        coinsurance=draw(percent),
        copay=draw(st.decimals(min_value=0, max_value=100, places=2)),
        oop_max=draw(st.none() | amounts),
    )


def pays(items: list[tuple[int, bool]], insurance: Insurance | None) -> int:
    """In cents."""
    terms = None if insurance is None else Terms.of(insurance)
    return patient_pays(iter([Charge(a, c) for a, c in items]), terms)


@given(charge_lists, terms())
def test_patient_pays_between_zero_and_billed(
    items: list[tuple[int, bool]], insurance: Insurance
) -> None:
    billed = sum(a for a, _ in items)
    assert 0 <= pays(items, insurance) <= billed


@given(charge_lists, terms())
def test_cap_bounds_covered_spending(items: list[tuple[int, bool]], insurance: Insurance) -> None:
    uncovered = sum(a for a, covered in items if not covered)
    if insurance.oop_max is not None:
        assert pays(items, insurance) <= cents(insurance.oop_max) + uncovered


@given(charge_lists, terms(), st.sampled_from(["deductible", "coinsurance", "copay"]), percent)
def test_raising_a_term_never_lowers_what_the_patient_pays(
    items: list[tuple[int, bool]], insurance: Insurance, term: str, more: Decimal
) -> None:
    raised_value = getattr(insurance, term) + more
    if term == "coinsurance":
        raised_value = min(raised_value, Decimal(100))
    raised = insurance.model_copy(update={term: raised_value})
    assert pays(items, raised) >= pays(items, insurance)


@given(
    st.sampled_from(["iv", "esketamine", "oral"]),
    st.integers(1, 52),
    st.integers(0, 24),
    terms(),
    amounts,
    st.sampled_from([None, True, False]),
)
def test_insurer_pays_the_rest(
    route: str,
    weeks: int,
    months: int,
    insurance: Insurance,
    assistance: Decimal,
    covered: bool | None,
) -> None:
    plan = Plan(
        route=route,
        weeks=weeks,
        maintenance_months=months,
        assistance=assistance,
        insurance=insurance.model_copy(update={"covered": covered}),
    )
    result = estimate(plan, SHEET)
    assert result.insurance is not None
    for case in ("low", "high"):
        billed = getattr(result.total, case)
        before_assistance = getattr(result.out_of_pocket, case) + getattr(result.assistance, case)
        assert getattr(result.insurance.insurer_pays, case) == billed - before_assistance
        assert Decimal(0) <= getattr(result.out_of_pocket, case) <= billed
    assert result.out_of_pocket.low <= result.out_of_pocket.high


charge_groups = st.lists(
    st.builds(
        Charge,
        amount=st.integers(0, 100_000),
        covered=st.booleans(),
        allowed=st.none(),  # the allowed amount comes from the rule (`allowed_rules`)
        benefit=st.sampled_from(["medical", "pharmacy"]),
        medication=st.just(False),
    ),
    max_size=3,
).map(tuple)
allowed_rules = st.sampled_from([Allowed(), Allowed(share=6000), Allowed(per_session=45_000)])


@st.composite
def full_terms(draw: st.DrawFn) -> Insurance:
    """Terms with the pharmacy benefit's own (sometimes) and out of network (sometimes)."""
    rx = draw(st.booleans())
    return draw(terms()).model_copy(
        update={
            "rx_deductible": draw(amounts) if rx else None,
            "rx_copay": draw(st.decimals(min_value=0, max_value=60, places=2)) if rx else None,
            "out_of_network": draw(st.booleans()),
        }
    )


@settings(max_examples=500)
@given(
    sessions=st.integers(0, 120),
    once=charge_groups,
    first=charge_groups,
    each=charge_groups,
    rule=allowed_rules,
    insurance=st.one_of(st.none(), full_terms()),
    first_included=st.booleans(),
)
def test_the_bulk_course_rule_matches_the_charge_by_charge_rule(
    sessions: int,
    once: tuple[Charge, ...],
    first: tuple[Charge, ...],
    each: tuple[Charge, ...],
    rule: Allowed,
    insurance: Insurance | None,
    first_included: bool,
) -> None:
    """Counting sessions in bulk (during and after the deductibles) gives exactly the
    charge-by-charge sum, in cents, with allowed amounts, two benefits and out of network."""
    case = CaseCharges(
        course_charges(once, rule), session_charges(first, rule), session_charges(each, rule)
    )
    terms = None if insurance is None else Terms.of(insurance)
    if first_included:
        walked = [charge for _, charge in case.in_order(sessions)]
    else:
        walked = [charge for _ in range(sessions) for charge in case.each]
    assert case_pays(case, sessions, terms, first_included) == patient_pays(walked, terms)
    assert case.billed(sessions, first_included) == sum(c.amount for c in walked)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_cents_become_a_two_place_decimal_and_back(amount: int) -> None:
    """The one conversion from the engine's cents to the results' money: two places, exact."""
    value = decimal(amount)
    assert value == Decimal(amount) / 100
    assert value.as_tuple().exponent == -2  # 5 cents is "0.05", 500 is "5.00"
    assert cents(value) == amount


@given(
    st.decimals(
        min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=4
    )
    | st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False)
)
def test_cents_is_the_amount_rounded_to_the_cent_half_up(amount: Decimal) -> None:
    """The integer shortcut for whole cents agrees with the one rounding rule everywhere."""
    assert cents(amount) == int(to_cents(amount).scaleb(2))
