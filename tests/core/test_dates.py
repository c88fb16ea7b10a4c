"""Dates are written with the Gregorian month names Iraq uses, in the reader's digits."""

import datetime

import pytest
from django.utils import translation

from bawaba.core.templatetags.bawaba import longdate


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", "٢٠ تشرين الثاني ٢٠٢٦"),
        ("ckb", "٢٠ تشرینی دووەم ٢٠٢٦"),
        ("en", "20 November 2026"),
    ],
)
def test_long_dates_use_iraqi_month_names(language, expected):
    with translation.override(language):
        assert longdate(datetime.date(2026, 11, 20)) == expected


def test_every_month_has_its_own_name():
    with translation.override("ar"):
        names = {longdate(datetime.date(2026, month, 1)).split(" ", 1)[1].rsplit(" ", 1)[0] for month in range(1, 13)}
    assert len(names) == 12
    assert "آذار" in names
