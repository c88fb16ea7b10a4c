"""A message's text as submit_sm short_messages: GSM-7 or UCS-2, split into parts with a UDH."""

from __future__ import annotations

from smpplib import consts
from smpplib.gsm import gsm_encode

from bawaba.notifications.providers.base import PermanentFailure
from bawaba.notifications.sms import sms_length

CONCATENATION_IE = b"\x05\x00\x03"  # UDH length 5, IE 0x00 (8-bit reference), IE length 3 (GSM 03.40)


def encode_sms(text: str, concatenation_reference: int) -> tuple[list[bytes], int, int]:
    """The short_message of each part, the data_coding and the esm_class for `text`.

    GSM-7 (data_coding 0, one septet per octet) when every character fits, as sms.sms_length counts;
    UCS-2 (data_coding 8) otherwise. Long texts get a concatenation header in each part. We split
    ourselves rather than with smpplib.gsm.make_parts, which can cut a two-septet GSM character or an
    emoji's surrogate pair in half at a part boundary.
    """
    encoded: bytes | None = None
    if sms_length(text).encoding == "GSM-7":
        try:
            encoded = gsm_encode(text)
        except UnicodeError:
            encoded = None  # a character smpplib's table lacks (§): UCS-2 is always safe
    if encoded is not None:
        data_coding, whole, per_part = consts.SMPP_ENCODING_DEFAULT, consts.SEVENBIT_LENGTH, 153
    else:
        encoded = text.encode("utf-16-be")
        data_coding, whole, per_part = consts.SMPP_ENCODING_ISO10646, consts.UCS2_LENGTH, 134
    if len(encoded) <= whole:
        return [encoded], data_coding, consts.SMPP_MSGMODE_DEFAULT
    chunks: list[bytes] = []
    start = 0
    while start < len(encoded):
        end = min(start + per_part, len(encoded))
        if end < len(encoded):
            if data_coding == consts.SMPP_ENCODING_DEFAULT and encoded[end - 1] == 0x1B:
                end -= 1  # never leave the escape of a two-septet character at the end of a part
            elif data_coding == consts.SMPP_ENCODING_ISO10646 and 0xD8 <= encoded[end - 2] <= 0xDB:
                end -= 2  # nor the first half of a surrogate pair
        chunks.append(encoded[start:end])
        start = end
    if len(chunks) > 255:
        raise PermanentFailure("The message is too long for SMS (more than 255 parts)", code="smpp_too_long")
    header = CONCATENATION_IE + bytes([concatenation_reference % 256, len(chunks)])
    parts = [header + bytes([number]) + chunk for number, chunk in enumerate(chunks, start=1)]
    return parts, data_coding, consts.SMPP_GSMFEAT_UDHI
