"""A small but complete catalogue document for the transfer tests (no tests here)."""

import copy
import io
from pathlib import Path
from typing import Any

from PIL import Image

from bawaba.catalog.models import (
    Category,
    Department,
    Governorate,
    LifeEvent,
    Office,
    SearchSynonym,
    Service,
)

_DOCUMENT: dict[str, Any] = {
    "format": "bawaba-catalogue",
    "version": 1,
    "governorates": [
        {"iso_code": "IQ-BG", "name": {"ar": "بغداد", "ckb": "بەغدا", "en": "Baghdad"}, "is_kurdistan_region": False},
        {"iso_code": "IQ-AR", "name": {"ar": "أربيل", "ckb": "هەولێر", "en": "Erbil"}, "is_kurdistan_region": True},
    ],
    "categories": [{"slug": "travel", "name": {"ar": "السفر", "en": "Travel"}, "ordering": 10}],
    "life_events": [
        {"slug": "moving-abroad", "name": {"ar": "السفر للخارج"}, "description": {"en": "Going abroad"}, "ordering": 5}
    ],
    "departments": [
        {
            "slug": "interior",
            "kind": "ministry",
            "name": {"ar": "وزارة الداخلية", "ckb": "وەزارەتی ناوخۆ", "en": "Ministry of Interior"},
            "description": {"ar": "الأمن والجوازات", "en": "Security and passports"},
            "website": "https://moi.gov.iq",
            "offices": [
                {
                    "code": "karrada-passports",
                    "governorate": "IQ-BG",
                    "name": {"ar": "مكتب جوازات الكرادة", "en": "Karrada passport office"},
                    "address": {"ar": "الكرادة، بغداد"},
                    "opening_hours": {"en": "Sunday to Thursday, 8:00–14:00"},
                    "phone": "+964 1 000 0000",
                    "latitude": 33.312806,
                    "longitude": 44.361488,
                }
            ],
        },
        {
            "slug": "passports-directorate",
            "kind": "directorate",
            "parent": "interior",
            "name": {"ar": "مديرية الجوازات", "en": "Passports Directorate"},
        },
    ],
    "services": [
        {
            "slug": "passport-renewal",
            "department": "passports-directorate",
            "name": {"ar": "تجديد جواز السفر", "ckb": "نوێکردنەوەی پاسپۆرت", "en": "Renew a passport"},
            "summary": {"ar": "تجديد الجواز المنتهي", "en": "Renew an expired passport.\nBring the old one."},
            "fee_note": {"en": "Paid at the office"},
            "classification": "procedural",
            "channels": ["online", "office"],
            "is_account_required": True,
            "online_url": "https://ur.gov.iq/passport",
            "duration_min_days": 3,
            "duration_max_days": 10,
            "categories": ["travel"],
            "life_events": ["moving-abroad"],
            "offices": ["karrada-passports"],
            "related_services": ["passport-first"],
            "last_reviewed_on": "2026-10-01",
            "popularity": 90,
            "steps": [
                {"location": "bawaba", "title": {"ar": "احجز موعدا", "en": "Book an appointment"}},
                {"location": "office", "title": {"ar": "راجع المكتب"}, "body": {"ar": "أحضر الجواز القديم"}},
            ],
            "documents": [{"name": {"ar": "الجواز القديم", "en": "The old passport"}, "note": {"en": "Original"}}],
            "fees": [
                {"label": {"ar": "جواز 32 صفحة"}, "amount_iqd": 25000},
                {"label": {"ar": "جواز 48 صفحة"}, "amount_iqd": 50000},
            ],
            "media": [
                {"kind": "image", "step": 2, "image": "photo-rules.png", "alt": {"ar": "قواعد الصورة"}},
                {"kind": "video", "video_url": "https://video.example.iq/renewal", "alt": {"ar": "فيديو"}},
            ],
        },
        {
            "slug": "passport-first",
            "department": "passports-directorate",
            "name": {"ar": "إصدار جواز سفر لأول مرة"},
            "summary": {"ar": "أول جواز"},
            "is_published": False,
            "related_services": ["passport-renewal"],
        },
    ],
    "synonyms": [{"term": "باسبورت", "expansion": "جواز سفر", "note": "spoken"}],
}


def catalogue_document() -> dict[str, Any]:
    return copy.deepcopy(_DOCUMENT)


def write_source_media(folder: Path) -> Path:
    """The picture the document names, drawn here so the tests carry no binary files."""
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (20, 90, 160)).save(buffer, format="PNG")
    (folder / "photo-rules.png").write_bytes(buffer.getvalue())
    return folder


def empty_the_catalogue() -> None:
    Service.objects.all().delete()
    Office.objects.all().delete()
    Department.objects.update(parent=None)
    Department.objects.all().delete()
    for model in (Category, LifeEvent, SearchSynonym, Governorate):
        model.objects.all().delete()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Governorate, Category, LifeEvent, Department, Office, Service, SearchSynonym)
    }
