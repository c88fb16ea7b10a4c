"""Which of Iraq's two administrations a search is about: the federal government or the Kurdistan Region.

Many services exist twice, once from a federal ministry and once from a Kurdistan Region ministry,
and a person almost always wants the one that applies where they live. Nothing in a query usually
says where that is, but the language it is read in does: people reading Sorani mostly live in the
Kurdistan Region, people reading Arabic or English mostly do not. A query that names a region or one
of its governorates ("كردستان", "Erbil", "هەولێر", "بغداد") says it outright, and that wins.
"""

from bawaba.catalog.models import Governorate
from bawaba.core.text import light_stem, normalize_text

# Words that name an administration rather than a place; governorates come from the catalogue.
KURDISTAN_WORDS = ("كردستان", "كوردستان", "اقليم", "هەرێم", "هەرێمی", "kurdistan", "krg", "kurdish")
MIN_PLACE_STEM = 4
FEDERAL_WORDS = ("اتحادي", "الاتحادية", "فيدرالي", "فیدراڵ", "federal")


def _stems(text: str) -> set[str]:
    return {light_stem(word) for word in normalize_text(text).split()}


def named_region(query: str) -> bool | None:
    """True if the query names the Kurdistan Region (or a governorate in it), False if it names the
    federal side (or a governorate outside the region), None if it names neither or both."""
    stems = _stems(query)
    if not stems:
        return None
    kurdistan = any(stems & _stems(word) for word in KURDISTAN_WORDS)
    federal = any(stems & _stems(word) for word in FEDERAL_WORDS)
    for governorate in Governorate.objects.only("name_ar", "name_ckb", "name_en", "is_kurdistan_region"):
        names = _stems(" ".join((governorate.name_ar, governorate.name_ckb, governorate.name_en)))
        # Short pieces ("ذي" of ذي قار, "al") would find governorates in ordinary queries.
        if any(len(stem) >= MIN_PLACE_STEM for stem in stems & names):
            if governorate.is_kurdistan_region:
                kurdistan = True
            else:
                federal = True
    return kurdistan if kurdistan != federal else None


def prefers_kurdistan_region(*, query: str, language: str) -> bool:
    """Whether Kurdistan Region services should come before federal ones that match as well."""
    named = named_region(query)
    return named if named is not None else language == "ckb"
