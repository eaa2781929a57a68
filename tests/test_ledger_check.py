"""Issue 9, item 9: ``Ledger.check`` can fail, and ``spend`` records what it could not pay.

The check recomputes ``in − spent − misused`` from the cumulative flows and compares it with
the balance, which is kept as its own state; every flow must be finite and ≥ 0. A spend beyond
the balance still pays what it can, but the unpaid remainder is kept in ``Ledger.shortfall``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.ledger import SOURCES, USES, Ledger, LedgerError

UPKEEP = USES.index("upkeep")
MISUSE = USES.index("misuse")


def money(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


def _ledger_with_money() -> Ledger:
    """Two compounds, three months in, with deposits, spending and misuse booked."""
    ledger = Ledger(2)
    for _ in range(3):
        ledger.new_month()
    ledger.deposit("fees", money(100, 200))
    ledger.spend("upkeep", money(30, 50))
    ledger.spend("misuse", money(0, 10))
    ledger.check()
    return ledger


# ----------------------------------------------------------------------------- (a) corruption


def test_check_fails_when_the_balance_becomes_nan():
    # NaN fails every comparison, so a check built only of ``>`` and ``<`` let it through.
    ledger = _ledger_with_money()
    ledger.balance[1] = np.nan
    with pytest.raises(LedgerError, match=r"compound 1, month 3: balance = nan"):
        ledger.check()


def test_check_fails_when_a_flow_is_negative_even_if_the_sum_balances():
    # A refund booked as negative upkeep, with the money put back in the balance: the sum
    # in − out − balance is still 0, but no flow may be negative.
    ledger = _ledger_with_money()
    ledger.total_out[0, UPKEEP] -= 35.0
    ledger.balance[0] += 35.0
    with pytest.raises(LedgerError, match=r"compound 0, month 3: .*upkeep.* = -5 yuan"):
        ledger.check()


def test_check_fails_when_a_flow_is_dropped_and_names_the_amounts():
    ledger = _ledger_with_money()
    ledger.total_out[1, MISUSE] = 0.0  # the misuse of 10 yuan is no longer on the books
    with pytest.raises(LedgerError) as info:
        ledger.check()
    message = str(info.value)
    assert message.startswith("compound 1, month 3: ")
    for part in ("in 200", "spent 50", "misused 0", "balance 140", "150"):
        assert part in message


def test_check_fails_when_the_balance_is_written_directly():
    ledger = _ledger_with_money()
    ledger.balance[0] -= 1.0  # money vanishes without a flow
    with pytest.raises(LedgerError, match=r"compound 0, month 3: .*balance 69"):
        ledger.check()


def test_check_fails_on_a_negative_balance_beyond_rounding():
    ledger = _ledger_with_money()
    ledger.balance[1] = -1.0
    ledger.total_out[1, UPKEEP] += 141.0  # the books agree, but the compound is overdrawn
    with pytest.raises(LedgerError, match=r"compound 1, month 3: balance = -1 yuan"):
        ledger.check()


def test_check_allows_rounding_below_zero():
    ledger = _ledger_with_money()
    ledger.balance[0] -= 70.0 + 1e-12
    ledger.total_out[0, UPKEEP] += 70.0
    ledger.check()


def test_deposit_refuses_nan_and_infinity():
    ledger = Ledger(2)
    for bad in (np.nan, np.inf):
        with pytest.raises(LedgerError, match="deposit from fees"):
            ledger.deposit("fees", money(10, bad))
    assert ledger.total_in.sum() == 0.0  # nothing was booked
    ledger.check()


def test_spending_nan_makes_the_check_fail():
    ledger = _ledger_with_money()
    ledger.spend("upkeep", money(np.nan, 0))
    with pytest.raises(LedgerError, match="compound 0"):
        ledger.check()


# ----------------------------------------------------------------------------- (b) shortfall


def test_a_spend_beyond_the_balance_records_the_shortfall_exactly():
    ledger = Ledger(3)
    ledger.deposit("fees", money(100, 50, 0))
    paid = ledger.spend("upkeep", money(30, 80, 10))
    np.testing.assert_array_equal(paid, [30, 50, 0])  # still pays what it can
    np.testing.assert_array_equal(ledger.shortfall[:, UPKEEP], [0, 30, 10])
    ledger.spend("upkeep", money(0, 5, 2.5))
    ledger.spend("overhead", money(-4, 1, 0))  # a negative request asks for nothing
    np.testing.assert_array_equal(ledger.shortfall[:, UPKEEP], [0, 35, 12.5])
    np.testing.assert_array_equal(ledger.shortfall[:, USES.index("overhead")], [0, 1, 0])
    assert ledger.shortfall.shape == (3, len(USES))
    ledger.check()


def test_shortfall_frame_is_a_tidy_table_of_what_went_unpaid():
    ledger = Ledger(3)
    ledger.deposit("fees", money(100, 50, 0))
    ledger.spend("upkeep", money(30, 80, 10))
    ledger.misuse(money(0, 0, 7))
    frame = ledger.shortfall_frame()
    assert list(frame.columns) == ["compound", "use", "shortfall"]
    assert frame.to_dict("records") == [
        {"compound": 1, "use": "upkeep", "shortfall": 30.0},
        {"compound": 2, "use": "upkeep", "shortfall": 10.0},
        {"compound": 2, "use": "misuse", "shortfall": 7.0},
    ]
    assert ledger.shortfall_frame(min_yuan=8.0)["shortfall"].tolist() == [30.0, 10.0]
    assert Ledger(2).shortfall_frame().empty


def test_spend_at_does_not_count_unpaid_matters_as_shortfall():
    # Matters left open are asked for again next month; only what spend_at decided to pay
    # counts as asked.
    ledger = Ledger(1)
    ledger.deposit("fees", money(60))
    paid = ledger.spend_at("matters", np.array([0, 0, 0]), money(50, 20, 10))
    assert paid.tolist() == [True, False, False]
    assert ledger.shortfall.sum() == 0.0


def test_misuse_is_booked_as_use_misuse():
    ledger = Ledger(2)
    ledger.deposit("pooled", money(10, 10))
    taken = ledger.misuse(money(4, 15))
    np.testing.assert_array_equal(taken, [4, 10])
    np.testing.assert_array_equal(ledger.misused, [4, 10])
    np.testing.assert_array_equal(ledger.total_out[:, MISUSE], [4, 10])
    np.testing.assert_array_equal(ledger.spent, np.zeros((2, len(USES) - 1)))
    np.testing.assert_array_equal(ledger.shortfall[:, MISUSE], [0, 5])
    ledger.check()


# ----------------------------------------------------------------------------- (c) property

_N = 3
_amounts = st.lists(st.floats(-50.0, 1e6, allow_nan=False), min_size=_N, max_size=_N)
_operation = st.one_of(
    st.tuples(st.just("deposit"), st.sampled_from(SOURCES), _amounts),
    st.tuples(st.just("spend"), st.sampled_from(USES[:-1]), _amounts),
    st.tuples(st.just("misuse"), st.just("misuse"), _amounts),
    st.tuples(st.just("new_month"), st.just(""), _amounts),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_operation, max_size=40))
def test_random_bookings_keep_the_check_passing_and_shortfall_is_asked_minus_paid(operations):
    ledger = Ledger(_N)
    asked = np.zeros((_N, len(USES)))
    paid = np.zeros((_N, len(USES)))
    for kind, name, values in operations:
        amounts = np.array(values)
        if kind == "deposit":
            ledger.deposit(name, np.abs(amounts))
        elif kind == "new_month":
            ledger.new_month()
        else:
            j = USES.index(name)
            before = ledger.balance.copy()
            got = ledger.misuse(amounts) if kind == "misuse" else ledger.spend(name, amounts)
            np.testing.assert_array_equal(got, np.minimum(np.maximum(amounts, 0.0), before))
            asked[:, j] += np.maximum(amounts, 0.0)
            paid[:, j] += got
        assert np.all(ledger.balance >= 0.0)
        ledger.check()
    np.testing.assert_allclose(ledger.shortfall, asked - paid, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(ledger.total_out, paid, rtol=1e-12, atol=1e-6)


def test_a_ledger_of_no_compounds_checks():
    ledger = Ledger(0)
    ledger.deposit("fees", np.zeros(0))
    ledger.spend("upkeep", np.zeros(0))
    ledger.check()
    assert ledger.shortfall_frame().empty


def test_misuse_is_the_last_use_so_spent_and_misused_are_views():
    assert USES[-1] == "misuse"
    ledger = Ledger(2)
    assert np.shares_memory(ledger.spent, ledger.total_out)
    assert np.shares_memory(ledger.misused, ledger.total_out)
