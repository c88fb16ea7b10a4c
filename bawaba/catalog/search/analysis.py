"""Turning texts into search terms: the one analysis shared by indexing and querying, on every database.

A term is a normalised, light-stemmed word (bawaba.core.text). Small words that carry no meaning in a
search ("how", "شلون", "چۆن") are left out on both sides, so they neither match nor get in the way.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bawaba.core.text import light_stem, normalize_text

# Written as people spell them; normalised below. Kept short: every word here becomes unsearchable.
_STOPWORDS_AS_WRITTEN = """
    في من إلى الى على عن مع او أو و ثم هذا هذه ذلك التي الذي ما ماذا هل كيف لماذا متى أين وين شلون شنو
    شلونه اشلون ليش اريد أريد ابي أبي ابغى احتاج أحتاج اكدر أگدر اسوي أسوي اني انا أنا عندي بدي لو ممكن رجاء
    يا كل اي أي لي لك له
    لە بۆ بە لەگەڵ یان چۆن چی کوێ کە ئەم ئەو من دەمەوێت دەوێت تکایە
    a an and are as at be by can do does for from get how i in is it me my need of on or please the to
    want what where with you your
"""
STOPWORDS: frozenset[str] = frozenset(normalize_text(_STOPWORDS_AS_WRITTEN).split())


def is_searchable_word(word: str) -> bool:
    """Single letters other than digits and stopwords carry no meaning for search."""
    return (len(word) > 1 or word.isdigit()) and word not in STOPWORDS


def terms_of(texts: Iterable[str]) -> list[str]:
    """The distinct search terms of some texts, in order of first appearance."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in normalize_text(text).split():
            if is_searchable_word(word):
                seen.setdefault(light_stem(word), None)
    return list(seen)


@dataclass(frozen=True)
class DocumentTexts:
    """What the index stores for one service (see models.SearchDocument)."""

    name_ar: str
    name_ckb: str
    name_en: str
    name_terms: str
    summary_terms: str
    detail_terms: str


def _translations(obj: Any, *fields: str) -> list[str]:
    return [getattr(obj, f"{field}_{language}", "") or "" for field in fields for language in ("ar", "ckb", "en")]


def document_texts(service: Any) -> DocumentTexts:
    """Analyse a service and its guide: any object shaped like catalog.Service (migrations pass historical ones)."""
    summary_texts = _translations(service, "summary")
    for related in (*service.categories.all(), *service.life_events.all()):
        summary_texts += _translations(related, "name")
    detail_texts = _translations(service, "eligibility", "fee_note", "legal_basis")
    detail_texts += _translations(service.department, "name")
    for step in service.steps.all():
        detail_texts += _translations(step, "title", "body")
    for document in service.documents.all():
        detail_texts += _translations(document, "name", "note")
    for fee in service.fees.all():
        detail_texts += _translations(fee, "label")
    return DocumentTexts(
        name_ar=normalize_text(service.name_ar),
        name_ckb=normalize_text(service.name_ckb),
        name_en=normalize_text(service.name_en),
        name_terms=" ".join(terms_of(_translations(service, "name"))),
        summary_terms=" ".join(terms_of(summary_texts)),
        detail_terms=" ".join(terms_of(detail_texts)),
    )
