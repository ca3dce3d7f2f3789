import pytest

from orders.documents import barcodes


@pytest.mark.parametrize(("first12", "check"), [("400638133393", "1"), ("460123456789", "3"), ("590123412345", "7")])
def test_ean13_check_digit_is_the_gs1_one(first12, check):
    assert barcodes.ean13_check_digit(first12) == check


def test_an_ean13_with_a_wrong_check_digit_is_refused_rather_than_silently_corrected():
    assert barcodes.is_valid_ean13("4006381333931")
    assert not barcodes.is_valid_ean13("4006381333932")
    with pytest.raises(barcodes.BarcodeError):
        barcodes.ean13_svg("4006381333932")


def test_an_ean13_has_95_modules_with_guard_bars():
    modules = barcodes.ean13_modules("4006381333931")

    assert len(modules) == 95
    assert modules.startswith("101") and modules.endswith("101") and modules[45:50] == "01010"


def test_code128_bars_end_with_the_stop_pattern_and_the_svg_scales():
    svg = barcodes.code128_svg("OK0000010001")

    assert barcodes.code128_modules("OK0000010001").endswith("1100011101011")
    assert 'viewBox="0 0 ' in svg and ">OK0000010001</text>" in svg


def test_a_value_that_is_an_ean13_is_drawn_as_one_and_anything_else_as_code128():
    assert len(barcodes.ean13_modules("4601234567893")) + 2 * 9 == _width(barcodes.barcode_svg("4601234567893"))
    assert _width(barcodes.barcode_svg("SKU-1")) == len(barcodes.code128_modules("SKU-1")) + 2 * 10


def _width(svg: str) -> int:
    return int(svg.split('viewBox="0 0 ')[1].split(" ")[0])
