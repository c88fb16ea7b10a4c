"""A small catalogue with one complete guide, built through the factories and the media service.

Used by the browser tests and the page tests: one department with an office on the map, a guide
with fees, documents, steps in each kind of place, a processed picture, a captioned video and a
related service, plus a few more services so that search and lists have something to show.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File

from bawaba.catalog.constants import Channel, DepartmentKind, MediaKind, StepLocation
from bawaba.catalog.demo import MEDIA_DIR
from bawaba.catalog.media import service_media_process
from bawaba.catalog.models import (
    LifeEvent,
    RequiredDocument,
    Service,
    ServiceFee,
    ServiceMedia,
    ServiceStep,
)
from bawaba.catalog.search import search_index_update
from tests.factories import CategoryFactory, DepartmentFactory, GovernorateFactory, OfficeFactory, ServiceFactory

GUIDE_SLUG = "national-id-card"
DEPARTMENT_SLUG = "interior"
# A word of the guide's Arabic and English names, so that search finds it in both languages.
SEARCH_WORD = {"ar": "البطاقة", "ckb": "کارتی", "en": "card"}


@dataclass
class Catalogue:
    guide: Service
    other: Service


def _attach(media: ServiceMedia, field: str, relative: str) -> None:
    path: Path = MEDIA_DIR / relative
    with path.open("rb") as handle:
        getattr(media, field).save(path.name, File(handle), save=False)


def build_catalogue() -> Catalogue:
    baghdad = GovernorateFactory()
    interior = DepartmentFactory(
        slug=DEPARTMENT_SLUG,
        name_ar="وزارة الداخلية",
        name_ckb="وەزارەتی ناوخۆ",
        name_en="Ministry of Interior",
        description_ar="تصدر الوثائق الشخصية.",
        description_en="Issues personal documents.",
        website="https://example.org/interior",
        is_demo=True,
    )
    office = OfficeFactory(
        code="karkh-civil-status",
        department=interior,
        governorate=baghdad,
        name_ar="دائرة الأحوال المدنية في الكرخ",
        name_ckb="فەرمانگەی باری شارستانی کەرخ",
        name_en="Karkh Civil Status Office",
        address_ar="شارع حيفا",
        address_en="Haifa Street",
        opening_hours_ar="الأحد إلى الخميس، 8:00 إلى 14:00",
        opening_hours_en="Sunday to Thursday, 8:00 to 14:00",
        phone="+964 1 555 0100",
        latitude="33.315200",
        longitude="44.366100",
    )
    category = CategoryFactory(slug="identity", name_ar="الهوية", name_ckb="ناسنامە", name_en="Identity")
    life_event = LifeEvent.objects.create(
        slug="turning-18", name_ar="بلوغ 18 سنة", name_ckb="گەیشتن بە 18 ساڵی", name_en="Turning 18"
    )
    guide = ServiceFactory(
        slug=GUIDE_SLUG,
        department=interior,
        name_ar="إصدار البطاقة الوطنية الموحدة",
        name_ckb="دەرکردنی کارتی نیشتمانی",
        name_en="Get the unified national card",
        summary_ar="البطاقة الوطنية الموحدة تثبت هويتك وجنسيتك وتحل محل هوية الأحوال المدنية وشهادة الجنسية.",
        summary_ckb="کارتی نیشتمانی ناسنامە و ڕەگەزنامەکەت دەسەلمێنێت.",
        summary_en="The unified national card proves who you are and your nationality, replacing two older documents.",
        eligibility_ar="كل عراقي بلغ 12 سنة.",
        eligibility_ckb="هەموو عێراقییەک کە تەمەنی 12 ساڵ بێت.",
        eligibility_en="Every Iraqi aged 12 or over.",
        legal_basis_ar="قانون البطاقة الوطنية رقم 3 لسنة 2016.",
        legal_basis_en="National Card Law No. 3 of 2016.",
        fee_note_en="Replacing a lost card costs more.",
        duration_min_days=3,
        duration_max_days=10,
        channels=[Channel.ONLINE, Channel.OFFICE],
        last_reviewed_on=datetime.date(2026, 3, 15),
        is_demo=True,
        popularity=100,
    )
    guide.categories.add(category)
    guide.life_events.add(life_event)
    guide.offices.add(office)
    for position, (name_ar, name_en) in enumerate(
        [("هوية الأحوال المدنية القديمة", "The old civil status ID"), ("شهادة الجنسية", "Nationality certificate")],
        start=1,
    ):
        RequiredDocument.objects.create(service=guide, position=position, name_ar=name_ar, name_en=name_en)
    ServiceFee.objects.create(
        service=guide, position=1, label_ar="إصدار البطاقة", label_en="Issuing the card", amount_iqd=5000
    )
    ServiceFee.objects.create(
        service=guide, position=2, label_ar="بدل ضائع", label_en="Replacing a lost card", amount_iqd=25000
    )
    steps = [
        ServiceStep.objects.create(
            service=guide,
            position=position,
            location=location,
            title_ar=title_ar,
            title_ckb=title_ckb,
            title_en=title_en,
            body_en=body_en,
        )
        for position, (location, title_ar, title_ckb, title_en, body_en) in enumerate(
            [
                (StepLocation.BAWABA, "املأ الاستمارة", "فۆرمەکە پڕبکەرەوە", "Fill in the form", "Ten minutes."),
                (StepLocation.OFFICE, "احضر إلى الدائرة", "سەردانی فەرمانگە بکە", "Go to the office", ""),
                (StepLocation.OFFICE, "استلم البطاقة", "کارتەکە وەربگرە", "Collect the card", ""),
            ],
            start=1,
        )
    ]
    picture = ServiceMedia(
        service=guide,
        position=1,
        kind=MediaKind.IMAGE,
        alt_ar="رسم توضيحي لوجه البطاقة الوطنية",
        alt_ckb="وێنەی ڕوونکردنەوەی کارتی نیشتمانی",
        alt_en="Illustration of the front of the national card",
        caption_en="An illustration, not a real card.",
    )
    _attach(picture, "image", "national-id-card/card-front.png")
    picture.save()
    service_media_process(media=picture)
    video = ServiceMedia(
        service=guide,
        position=2,
        kind=MediaKind.VIDEO,
        alt_ar="فيديو: كيف تقرأ البطاقة",
        alt_ckb="ڤیدیۆ: چۆن کارتەکە بخوێنیتەوە",
        alt_en="Video: how to read the card",
        duration_seconds=16,
    )
    _attach(video, "video_file", "national-id-card/reading-the-card.mp4")
    _attach(video, "poster", "national-id-card/reading-the-card-poster.png")
    for language in ("ar", "ckb", "en"):
        _attach(video, f"captions_{language}", f"national-id-card/reading-the-card.{language}.vtt")
    video.save()
    service_media_process(media=video)
    step_picture = ServiceMedia(
        service=guide,
        step=steps[2],
        position=3,
        kind=MediaKind.IMAGE,
        alt_ar="رسم توضيحي لظهر البطاقة",
        alt_en="Illustration of the back of the card",
    )
    _attach(step_picture, "image", "national-id-card/card-back.png")
    step_picture.save()
    service_media_process(media=step_picture)
    other = ServiceFactory(
        slug="passport-renewal",
        department=interior,
        name_ar="تجديد جواز السفر",
        name_ckb="نوێکردنەوەی پاسپۆرت",
        name_en="Renew a passport",
        summary_ar="جدد جواز سفرك قبل انتهاء صلاحيته.",
        summary_en="Renew your passport before it expires.",
        popularity=90,
        is_demo=True,
    )
    other.categories.add(category)
    guide.related_services.add(other)
    for number in range(1, 5):
        ServiceFactory(department=DepartmentFactory(kind=DepartmentKind.MINISTRY), popularity=number)
    search_index_update(service_ids=list(Service.objects.values_list("id", flat=True)))
    return Catalogue(guide=guide, other=other)


# A new person signing up on a phone (test_accounts_signup_in_browser.py). The number is typed the way
# many people do: local format, Eastern Arabic digits, spaces.
NEW_PERSON_NUMBER_TYPED = "٠٧٧٠ ١٢٣ ٤٥٦٧"
NEW_PERSON_NUMBER = "+9647701234567"
NEW_PERSON_NAME = "زينب علي حسين"
NEW_PERSON_PASSWORD = "مطر فوق البصرة 1987"  # noqa: S105 - a test person's password
