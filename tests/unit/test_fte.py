"""FTE as the DfE census defines it: contracted hours over standard hours."""

from decimal import Decimal

import pytest

from workforce.metrics.fte import fte


@pytest.mark.parametrize(
    ("contracted", "standard", "expected"),
    [
        ("37", "37", "1.000000"),
        ("18.5", "37", "0.500000"),
        ("22.5", "37", "0.608108"),
        ("30", "36", "0.833333"),
        ("0", "37", "0.000000"),
        ("40", "37", "1.000000"),
    ],
)
def test_fte_is_contracted_over_standard_to_six_places(contracted, standard, expected):
    assert fte(Decimal(contracted), Decimal(standard)) == Decimal(expected)


def test_fte_accepts_floats():
    assert fte(18.5, 37) == Decimal("0.5")


@pytest.mark.parametrize(("contracted", "standard"), [("-1", "37"), ("10", "0"), ("10", "-37")])
def test_fte_refuses_impossible_hours(contracted, standard):
    with pytest.raises(ValueError, match="hours"):
        fte(Decimal(contracted), Decimal(standard))
