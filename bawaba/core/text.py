"""Text normalisation for matching what people type against what editors wrote.

Iraqis write the same word many ways: with or without hamza and diacritics, with ى or ي, ة or ه,
Eastern Arabic (٣) or Persian (۳) digits; a Kurd on an Arabic keyboard types ك, ي, ه and ب where
Sorani has ک, ی, ە and پ, and the reverse. `normalize_text` folds all of these to one spelling, so
comparing normalised strings ignores the differences. It is for matching only: never show its output.

`light_stem` then removes the commonest Arabic and Sorani affixes (the article ال, attached
prepositions, plural and possessive endings) and English plural endings, without a dictionary,
in the spirit of Larkey et al.'s "light10" stemmer for Arabic.
"""

import unicodedata
from functools import lru_cache

# Letters folded after compatibility decomposition has split hamza and madda off (أ→ا, ؤ→و, ئ→ي, ۀ→ە).
_LETTER_FOLDS: dict[str, str] = {
    # alef forms without a decomposition
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0672": "\u0627",  # ٲ alef with wavy hamza above
    "\u0673": "\u0627",  # ٳ alef with wavy hamza below
    "\u0675": "\u0627",  # ٵ high hamza alef
    # yeh: alef maqsura, Farsi yeh, Sorani ێ, and other yehs
    "\u0649": "\u064a",  # ى
    "\u06cc": "\u064a",  # ی
    "\u06ce": "\u064a",  # ێ
    "\u06cd": "\u064a",  # ۍ
    "\u06d0": "\u064a",  # ې
    "\u06d2": "\u064a",  # ے
    "\u0678": "\u064a",  # ٸ
    # heh: ta marbuta, Sorani ە, heh doachashmee, heh goal
    "\u0629": "\u0647",  # ة
    "\u06d5": "\u0647",  # ە
    "\u06be": "\u0647",  # ھ
    "\u06c1": "\u0647",  # ہ
    "\u06c3": "\u0647",  # ۃ
    # kaf: keheh, swash kaf, and gaf (Iraqis write گ as ك: كمرك, كاز)
    "\u06a9": "\u0643",  # ک
    "\u06aa": "\u0643",  # ڪ
    "\u06af": "\u0643",  # گ
    # Sorani and Persian letters an Arabic keyboard lacks, folded to the letter typed instead
    "\u067e": "\u0628",  # پ
    "\u0686": "\u062c",  # چ
    "\u0698": "\u0632",  # ژ
    "\u06a4": "\u0641",  # ڤ
    "\u0695": "\u0631",  # ڕ
    "\u06b5": "\u0644",  # ڵ
    "\u06c6": "\u0648",  # ۆ
    "\u06c5": "\u0648",  # ۅ
    "\u06c7": "\u0648",  # ۇ
    "\u06c8": "\u0648",  # ۈ
    "\u06c9": "\u0648",  # ۉ
    "\u06ca": "\u0648",  # ۊ
    "\u06cb": "\u0648",  # ۋ
    "\u06cf": "\u0648",  # ۏ
    "\u0677": "\u0648",  # ٷ
    # marks that are letters to Unicode but decoration to a reader
    "\u0640": "",  # tatweel
    "\u0674": "",  # high hamza
}

_ARABIC_SCRIPT = range(0x0600, 0x0700)


@lru_cache(maxsize=4096)
def _fold_character(character: str) -> str:
    """What one character (already decomposed and case-folded) becomes: a letter, a digit, '' or a space."""
    category = unicodedata.category(character)
    if category[0] == "M" or category == "Cf":
        # Diacritics, hamza and madda split off by NFKD, Latin accents; joiners and direction marks.
        return ""
    if character in _LETTER_FOLDS:
        return _LETTER_FOLDS[character]
    digit = unicodedata.decimal(character, None)
    if digit is not None:
        return str(digit)
    if character.isalnum():
        return character
    return " "


def normalize_text(text: str) -> str:
    """Fold spelling variants away: the result is lower case words of letters and ASCII digits, one space apart.

    >>> normalize_text("إصدار جَوازِ السفـــر ٢٠٢٤")
    'اصدار جواز السفر 2024'
    """
    # NFKD splits presentation forms and ligatures (ﻻ), hamza/madda from their carriers and accents
    # from Latin letters; folding case in between catches letters whose case forms decompose.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return " ".join("".join(_fold_character(character) for character in decomposed).split())


def normalize_digits(text: str) -> str:
    """Only the digits: Eastern Arabic, Persian and other decimal digits become ASCII; nothing else changes."""
    return "".join(
        str(digit) if (digit := unicodedata.decimal(character, None)) is not None else character for character in text
    )


def tokenize(text: str) -> list[str]:
    """The normalised words of a text."""
    return normalize_text(text).split()


# Light stemming. Affixes are written in normalised spelling (ة→ه, ی→ي, ە→ه, ک→ك).
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_ARABIC_SUFFIXES = (
    # Sorani: definite and plural markers, possessive clitics (-ەکان, -ەکە, -ەکەم, -یەک, -ێک)
    "هكاني",
    "هكان",
    "هكهي",
    "هكهم",
    "هكه",
    "يهكان",
    "يهكه",
    "يهك",
    "كان",
    "يي",  # ezafe after a word ending in ی: نیشتمانیی
    # Arabic: plurals, duals, feminine and possessive endings
    "ها",
    "ات",
    "ان",
    "ون",
    "ين",
    "يه",
    "ه",
    "ي",
)
_ARABIC_SUFFIXES_LONGEST_FIRST = tuple(sorted(_ARABIC_SUFFIXES, key=len, reverse=True))
_MINIMUM_STEM = 3  # Arabic roots have three letters; stripping further merges unrelated words


def _is_arabic_script(word: str) -> bool:
    return ord(word[0]) in _ARABIC_SCRIPT


def _stem_arabic_script(word: str) -> str:
    for prefix in _ARABIC_PREFIXES:
        # Two letters may stay after the article: الحج → حج.
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    for _ in range(2):  # at most two endings: الوطنيين → وطنيين → وطني → وطن
        for suffix in _ARABIC_SUFFIXES_LONGEST_FIRST:
            if word.endswith(suffix) and len(word) - len(suffix) >= _MINIMUM_STEM:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def _stem_english(word: str) -> str:
    # An "s" stemmer (Harman 1991) with the -es endings English spells after sibilants.
    if len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


def light_stem(word: str) -> str:
    """The stem of one normalised word: affixes off, so 'البطاقات' and 'بطاقة' (or 'licences' and 'licence') meet."""
    if not word:
        return word
    if _is_arabic_script(word):
        return _stem_arabic_script(word)
    if word.isascii() and word.isalpha():
        return _stem_english(word)
    return word
