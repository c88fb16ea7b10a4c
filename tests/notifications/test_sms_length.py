"""SMS parts and encoding, as operators' SMS centres count them."""

from hypothesis import given
from hypothesis import strategies as st

from bawaba.notifications.sms import sms_length


def test_plain_english_is_gsm7_and_160_fit_in_one_part():
    assert sms_length("a" * 160).parts == 1
    assert sms_length("a" * 160).encoding == "GSM-7"
    assert sms_length("a" * 161).parts == 2  # 153 per part once split
    assert sms_length("a" * 306).parts == 2
    assert sms_length("a" * 307).parts == 3


def test_extension_characters_take_two_septets():
    info = sms_length("€" * 80)
    assert info.units == 160
    assert info.parts == 1
    assert sms_length("€" * 81).parts == 2


def test_arabic_and_kurdish_take_70_a_part_and_67_when_split():
    assert sms_length("ب" * 70).encoding == "UCS-2"
    assert sms_length("ب" * 70).parts == 1
    assert sms_length("ێ" * 71).parts == 2
    assert sms_length("ب" * 134).parts == 2
    assert sms_length("ب" * 135).parts == 3


def test_one_arabic_letter_turns_the_whole_message_into_ucs2():
    assert sms_length("Your code is 123456 ب").encoding == "UCS-2"


def test_emoji_count_double_in_ucs2():
    assert sms_length("🙂").units == 2


def test_empty_text_costs_nothing():
    assert sms_length("").parts == 0


@given(st.text(max_size=500))
def test_parts_always_hold_the_text(text):
    info = sms_length(text)
    assert info.units <= info.parts * info.per_part
    assert info.remaining >= 0
