"""How long an SMS is and how many parts it costs: GSM-7 when every character fits, UCS-2 otherwise.

GSM 03.38: 160 septets in one part, 153 per part when split (the rest holds the joining header);
characters of the extension table (€, [, ], {, }, ...) take two septets. UCS-2 (any Arabic or Kurdish
text): 70 characters in one part, 67 per part when split; characters outside the Basic Multilingual
Plane (emoji) take two.
"""

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, 16-bit code units for UCS-2
    parts: int
    per_part: int  # what one part holds in this encoding when the text is split (or whole)

    @property
    def remaining(self) -> int:
        """Room left in the last part before another part is needed."""
        return self.parts * self.per_part - self.units


def sms_length(text: str) -> SmsLength:
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return SmsLength(encoding, units, 1 if units else 0, single)
    parts = -(-units // multi)
    return SmsLength(encoding, units, parts, multi)
