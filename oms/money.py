"""Money is ``Decimal`` roubles with two places; kopecks exist only at the marketplace edge."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

CURRENCY = "RUB"
KOPECK = Decimal("0.01")


def MoneyField(**kwargs) -> models.DecimalField:  # noqa: N802 - reads like a field class at call sites
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 2)
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(**kwargs)


def quantize(amount: Decimal | int | str) -> Decimal:
    return Decimal(amount).quantize(KOPECK, rounding=ROUND_HALF_UP)


def from_kopecks(kopecks: int) -> Decimal:
    return quantize(Decimal(int(kopecks)) / 100)


def to_kopecks(amount: Decimal) -> int:
    return int(quantize(amount) * 100)
