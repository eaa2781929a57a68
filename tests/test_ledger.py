"""The ledger (sim.ledger): every yuan accounted for, no overdraft, 12-month shares.

The checks that corrupt a ledger and the shortfall of refused payments are in
``tests/test_ledger_check.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.ledger import SOURCES, USES, WINDOW, Ledger, LedgerError


def money(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


def test_a_new_ledger_is_empty_and_balanced():
    ledger = Ledger(3)
    ledger.check()
    assert ledger.balance.tolist() == [0.0, 0.0, 0.0]
    assert ledger.total_in.shape == (3, len(SOURCES))
    assert ledger.total_out.shape == (3, len(USES))


def test_random_deposits_and_spending_conserve_money():
    rng = np.random.default_rng(0)
    ledger = Ledger(5)
    deposited = np.zeros(5)
    paid_total = np.zeros(5)
    for _ in range(50):
        ledger.new_month()
        for _ in range(3):
            amounts = rng.exponential(100.0, 5)
            deposited += amounts
            ledger.deposit(SOURCES[rng.integers(len(SOURCES))], amounts)
            before = ledger.balance.copy()
            asked = rng.exponential(150.0, 5)
            paid = ledger.spend(USES[rng.integers(len(USES))], asked)
            paid_total += paid
            np.testing.assert_allclose(paid, np.minimum(asked, before))
            assert np.all(ledger.balance >= 0.0)
            ledger.check()
    np.testing.assert_allclose(ledger.total_in.sum(axis=1), deposited)
    np.testing.assert_allclose(ledger.total_out.sum(axis=1), paid_total)
    np.testing.assert_allclose(ledger.balance, deposited - paid_total, atol=1e-8)


def test_spend_never_overdraws():
    ledger = Ledger(3)
    ledger.deposit("fees", money(100, 50, 0))
    paid = ledger.spend("upkeep", money(30, 80, 10))
    np.testing.assert_array_equal(paid, [30, 50, 0])
    np.testing.assert_array_equal(ledger.balance, [70, 0, 0])
    np.testing.assert_array_equal(ledger.total_out[:, USES.index("upkeep")], [30, 50, 0])
    ledger.check()


def test_spending_a_negative_amount_pays_nothing():
    ledger = Ledger(2)
    ledger.deposit("government", money(10, 10))
    paid = ledger.spend("misuse", money(-5, 4))
    np.testing.assert_array_equal(paid, [0, 4])
    np.testing.assert_array_equal(ledger.balance, [10, 6])
    ledger.check()


def test_negative_deposit_raises():
    ledger = Ledger(2)
    with pytest.raises(LedgerError):
        ledger.deposit("fees", money(10, -1))
    # Nothing was booked.
    assert ledger.total_in.sum() == 0.0
    ledger.check()


def test_check_detects_money_created_or_destroyed():
    ledger = Ledger(2)
    ledger.deposit("fees", money(100, 100))
    ledger.balance[1] += 5.0  # money from nowhere
    with pytest.raises(LedgerError, match="compound 1"):
        ledger.check()


def test_monthly_flows_reset_but_totals_accumulate():
    ledger = Ledger(1)
    ledger.deposit("pooled", money(40))
    ledger.spend("matters", money(15))
    assert ledger.month_in[0, SOURCES.index("pooled")] == 40
    assert ledger.month_out[0, USES.index("matters")] == 15
    ledger.new_month()
    assert ledger.month_in.sum() == 0 and ledger.month_out.sum() == 0
    assert ledger.total_in.sum() == 40 and ledger.total_out.sum() == 15
    assert ledger.balance[0] == 25


# ----------------------------------------------------------------------------- spend_at


def test_spend_at_pays_the_longest_affordable_prefix_per_compound():
    ledger = Ledger(2)
    ledger.deposit("fees", money(85, 30))
    compounds = np.array([0, 1, 0, 1, 0, 0])
    amounts = money(30, 20, 50, 20, 10, 2)
    paid = ledger.spend_at("matters", compounds, amounts)
    # Compound 0: 30 + 50 = 80 fits 85, + 10 does not; the later 2-yuan item is not paid
    # either (a prefix, not a knapsack). Compound 1: 20 fits 30, the next 20 does not.
    assert paid.tolist() == [True, True, True, False, False, False]
    np.testing.assert_allclose(ledger.balance, [5, 10])
    np.testing.assert_allclose(ledger.total_out[:, USES.index("matters")], [80, 20])
    ledger.check()


def test_spend_at_respects_the_order_given():
    ledger = Ledger(1)
    ledger.deposit("fees", money(60))
    paid = ledger.spend_at("matters", np.array([0, 0, 0]), money(50, 20, 10))
    assert paid.tolist() == [True, False, False]
    ledger = Ledger(1)
    ledger.deposit("fees", money(60))
    paid = ledger.spend_at("matters", np.array([0, 0, 0]), money(10, 20, 50))
    assert paid.tolist() == [True, True, False]


def test_spend_at_respects_the_budget():
    ledger = Ledger(2)
    ledger.deposit("fees", money(100, 100))
    paid = ledger.spend_at("matters", np.array([0, 0, 1, 1]), money(30, 30, 30, 30),
                           budget=money(40, 1000))
    assert paid.tolist() == [True, False, True, True]
    np.testing.assert_allclose(ledger.balance, [70, 40])
    ledger.check()


def test_spend_at_exact_fit_is_paid():
    ledger = Ledger(1)
    ledger.deposit("fees", money(0.3))
    paid = ledger.spend_at("matters", np.array([0, 0, 0]), money(0.1, 0.1, 0.1))
    assert paid.all()
    assert ledger.balance[0] >= 0.0
    ledger.check()


def test_spend_at_with_no_items_pays_nothing():
    ledger = Ledger(2)
    ledger.deposit("fees", money(10, 10))
    paid = ledger.spend_at("matters", np.zeros(0, dtype=np.int64), np.zeros(0))
    assert paid.size == 0
    np.testing.assert_array_equal(ledger.balance, [10, 10])


# ----------------------------------------------------------------------------- shares


def test_shares_are_nan_or_zero_without_money():
    ledger = Ledger(2)
    assert np.all(np.isnan(ledger.government_share()))
    np.testing.assert_array_equal(ledger.self_funded_share(), [0.0, 0.0])
    assert ledger.self_funded_share_total() == 0.0


def test_shares_of_this_months_money():
    ledger = Ledger(2)
    ledger.deposit("fees", money(100, 0))
    ledger.deposit("pooled", money(50, 0))
    ledger.deposit("government", money(250, 0))
    ledger.deposit("foundation", money(100, 0))
    np.testing.assert_allclose(ledger.self_funded_share(), [0.3, 0.0])
    gov = ledger.government_share()
    assert gov[0] == pytest.approx(0.5)
    assert np.isnan(gov[1])
    assert ledger.self_funded_share_total() == pytest.approx(0.3)


def test_spending_does_not_change_shares_of_inflow():
    ledger = Ledger(1)
    ledger.deposit("fees", money(100))
    ledger.deposit("government", money(100))
    ledger.spend("upkeep", money(150))
    assert ledger.government_share()[0] == pytest.approx(0.5)


def test_money_older_than_twelve_months_no_longer_counts():
    assert WINDOW == 12
    ledger = Ledger(2)
    ledger.deposit("government", money(300, 0))
    ledger.deposit("fees", money(100, 0))
    for _ in range(11):  # months 1–11: the deposit of month 0 is within the last 12
        ledger.new_month()
        assert ledger.government_share()[0] == pytest.approx(0.75)
        assert ledger.self_funded_share()[0] == pytest.approx(0.25)
    ledger.new_month()  # month 12: it has left the window
    assert np.all(np.isnan(ledger.government_share()))
    np.testing.assert_array_equal(ledger.self_funded_share(), [0.0, 0.0])
    assert ledger.self_funded_share_total() == 0.0
    assert ledger.balance[0] == 400  # the money itself is still there


def test_window_slides_month_by_month():
    ledger = Ledger(1)
    ledger.deposit("government", money(100))  # month 0
    for _ in range(6):
        ledger.new_month()
    ledger.deposit("fees", money(100))  # month 6
    for _ in range(6):
        ledger.new_month()
    # Month 12: only the fees of month 6 are within the last 12 months.
    assert ledger.self_funded_share()[0] == pytest.approx(1.0)
    assert ledger.government_share()[0] == pytest.approx(0.0)
    for _ in range(5):
        ledger.new_month()
    assert ledger.self_funded_share()[0] == pytest.approx(1.0)  # month 17: still in
    ledger.new_month()
    assert ledger.self_funded_share()[0] == 0.0  # month 18: gone
    for _ in range(30):  # the window keeps working after it wraps around several times
        ledger.new_month()
        ledger.deposit("government", money(10))
        ledger.deposit("pooled", money(30))
        assert ledger.self_funded_share()[0] == pytest.approx(0.75)


def test_a_model_run_accounts_for_every_yuan():
    # Heping Road under the baseline: fees, firm overhead, upkeep, government handling and
    # a renovation campaign at month 24 all move money.
    model = sim.CompoundModel("heping_road", rng=5)
    gov_col = SOURCES.index("government")
    for _ in range(30):
        model.step()
        ledger = model.ledger
        np.testing.assert_allclose(ledger.total_in.sum(axis=1) - ledger.total_out.sum(axis=1),
                                   ledger.balance, atol=1e-6)
        assert np.all(ledger.balance >= 0.0)
    assert ledger.total_in[:, gov_col].sum() == pytest.approx(model.government.spent)
    assert model.government.spent > 0
    assert ledger.total_out[:, USES.index("overhead")].sum() > 0
    assert ledger.total_out[:, USES.index("upkeep")].sum() > 0
    # Every payment the model asks for is within the balance, up to rounding: no institution
    # relies on spend() refusing part of a payment (see Ledger.shortfall).
    assert ledger.shortfall_frame(min_yuan=1e-6).empty
