"""Rebuild static/fonts/bawaba-arabic.woff2: Noto Sans Arabic cut down to what Arabic and Sorani pages need.

Run from the project root after `apt-get install fonts-noto-core`:

    .venv/bin/python bin/build_font.py [--source PATH]

Keeps the letters of Arabic and Central Kurdish, the marks, both sets of Arabic digits and
Arabic punctuation, and the OpenType features that join and position them; drops hinting
(phones render unhinted) and every other script. Latin text uses the phone's own font, so
English pages only fetch this file for the language names in the switcher. The unicode-range
in static/css/bawaba.css must list the same characters: this script prints it.
Also writes static/fonts/OFL.txt, the licence the font is distributed under.
"""

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-core/copyright")
OUTPUT = ROOT / "static" / "fonts" / "bawaba-arabic.woff2"
LICENCE = ROOT / "static" / "fonts" / "OFL.txt"
FAMILY = "Bawaba Arabic"

# (first, last) code points, inclusive. Kept in the order of the Unicode Arabic block.
RANGES: list[tuple[int, int]] = [
    (0x060C, 0x060C),  # ، Arabic comma
    (0x061B, 0x061B),  # ؛ Arabic semicolon
    (0x061F, 0x061F),  # ؟ Arabic question mark
    (0x0621, 0x063A),  # hamza and the letters ء to غ
    (0x0640, 0x0655),  # tatweel, ف to ي, harakat, shadda, sukun, maddah and hamza marks
    (0x0660, 0x066C),  # Arabic-Indic digits ٠-٩, percent, decimal and thousands separators
    (0x0670, 0x0671),  # superscript alef, alef wasla
    (0x067E, 0x067E),  # پ
    (0x0686, 0x0686),  # چ
    (0x0695, 0x0695),  # ڕ (Sorani)
    (0x0698, 0x0698),  # ژ
    (0x06A4, 0x06A4),  # ڤ
    (0x06A9, 0x06A9),  # ک
    (0x06AF, 0x06AF),  # گ
    (0x06B5, 0x06B5),  # ڵ (Sorani)
    (0x06BE, 0x06BE),  # ھ (Sorani h)
    (0x06C6, 0x06C6),  # ۆ (Sorani)
    (0x06CC, 0x06CC),  # ی
    (0x06CE, 0x06CE),  # ێ (Sorani)
    (0x06D5, 0x06D5),  # ە (Sorani)
    (0x06F0, 0x06F9),  # Extended Arabic-Indic digits ۰-۹, which some Kurdish writers use
    (0x200C, 0x200F),  # zero-width non-joiner and joiner, direction marks: they affect joining
]
# Joining forms, ligatures (lam-alef), mark and cursive positioning, Kurdish/Urdu local forms.
FEATURES = ["ccmp", "locl", "isol", "init", "medi", "fina", "rlig", "liga", "calt", "mark", "mkmk", "curs", "kern"]


def unicode_range() -> str:
    """The CSS unicode-range descriptor for RANGES."""
    parts = [f"U+{first:04X}" if first == last else f"U+{first:04X}-{last:04X}" for first, last in RANGES]
    return ",".join(parts)


def code_points() -> list[int]:
    return [point for first, last in RANGES for point in range(first, last + 1)]


def missing_characters(font: TTFont) -> list[int]:
    """Visible characters we promise in unicode-range but the source font lacks (format controls excepted)."""
    cmap = font.getBestCmap()
    return [point for point in code_points() if point not in cmap and not 0x200C <= point <= 0x200F]


def build(source: Path) -> int:
    font = TTFont(source)
    missing = missing_characters(font)
    if missing:
        # A gap would make the browser draw that letter from another font in the middle of a word.
        sys.stderr.write("source font lacks: " + " ".join(f"U+{point:04X}" for point in missing) + "\n")
        return 1
    options = subset.Options()
    options.layout_features = FEATURES
    options.flavor = "woff2"
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points())
    subsetter.subset(font)
    # The OFL asks modified versions to be told apart from the original; the CSS uses this name too.
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            names.setName(
                FAMILY if record.nameID != 4 else f"{FAMILY} Regular",
                record.nameID,
                record.platformID,
                record.platEncID,
                record.langID,
            )
        elif record.nameID in (3, 6):
            names.setName("BawabaArabic-Regular", record.nameID, record.platformID, record.platEncID, record.langID)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff2"
    # Keep the source's timestamp so that rebuilding from the same source gives the same bytes.
    font.recalcTimestamp = False
    font.save(OUTPUT)
    LICENCE.write_text(licence_text(font), encoding="utf-8")
    size = OUTPUT.stat().st_size
    sys.stdout.write(f"wrote {OUTPUT.relative_to(ROOT)} ({size} bytes) and {LICENCE.relative_to(ROOT)}\n")
    sys.stdout.write(f"unicode-range: {unicode_range()}\n")
    return 0


def licence_text(font: TTFont) -> str:
    """The copyright notice from the font and the full OFL 1.1, taken from Debian's copyright file."""
    copyright_notice = font["name"].getDebugName(0) or "Copyright Google LLC."
    header = (
        f"{FAMILY} (static/fonts/bawaba-arabic.woff2) is a subset of Noto Sans Arabic Regular,\n"
        f"made by bin/build_font.py. Original copyright notice:\n\n{copyright_notice}\n\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at: https://openfontlicense.org\n\n"
    )
    return header + "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007\n\n" + _ofl_body() + "\n"


def _ofl_body() -> str:
    """The OFL-1.1 stanza of Debian's machine-readable copyright file, turned back into plain text."""
    paragraphs = DEBIAN_COPYRIGHT.read_text(encoding="utf-8").split("\n\n")
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        if lines and lines[0].strip() == "License: OFL-1.1" and len(lines) > 1:
            body = ["" if line.strip() == "." else line.strip() for line in lines[1:]]
            # Debian wraps each paragraph over many short lines; join them back into one line each.
            text = "\n".join(body)
            return "\n\n".join(" ".join(chunk.split("\n")) for chunk in text.split("\n\n"))
    raise SystemExit(f"no OFL-1.1 licence text in {DEBIAN_COPYRIGHT}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="Noto Sans Arabic Regular (TTF)")
    arguments = parser.parse_args()
    if not arguments.source.is_file():
        sys.stderr.write(f"{arguments.source} not found: apt-get install fonts-noto-core, or pass --source\n")
        return 1
    return build(arguments.source)


if __name__ == "__main__":
    sys.exit(main())
