"""Write the whole catalogue as the document the importer reads (docs/catalogue-format.md).

The output is deterministic (records sorted by their stable keys, every field written, no
timestamps), so exporting, importing into an empty database and exporting again gives the same
bytes, and two exports can be compared with `diff`.
"""

import json
from typing import Any

from django.db.models import Prefetch
from django.db.models.fields.files import FieldFile

from bawaba.catalog.models import (
    Category,
    Department,
    Governorate,
    LifeEvent,
    Office,
    RequiredDocument,
    SearchSynonym,
    Service,
    ServiceFee,
    ServiceMedia,
    ServiceStep,
)
from bawaba.catalog.transfer.format import (
    DEPARTMENT_TEXTS,
    DOCUMENT_TEXTS,
    FORMAT_NAME,
    FORMAT_VERSION,
    MEDIA_TEXTS,
    OFFICE_TEXTS,
    SERVICE_TEXTS,
    STEP_TEXTS,
)
from bawaba.core.i18n import CONTENT_LANGUAGES, localized_dict


def _texts(obj: Any, names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {name: localized_dict(obj, name) for name in names}


def _file(field_file: FieldFile) -> str | None:
    return field_file.name or None


def catalogue_document() -> dict[str, Any]:
    """The whole catalogue as one document, ready for json.dumps."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "governorates": [_governorate(g) for g in Governorate.objects.order_by("iso_code")],
        "categories": [_category(c) for c in Category.objects.order_by("ordering", "slug")],
        "life_events": [_life_event(e) for e in LifeEvent.objects.order_by("ordering", "slug")],
        "departments": [_department(d) for d in _departments()],
        "services": [service_document(s) for s in services_for_export()],
        "synonyms": [
            {"term": s.term, "expansion": s.expansion, "note": s.note}
            for s in SearchSynonym.objects.order_by("term", "pk")
        ],
    }


def catalogue_export_json() -> bytes:
    """The document as UTF-8 JSON, Arabic and Kurdish left readable rather than \\u-escaped."""
    return (json.dumps(catalogue_document(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _governorate(governorate: Governorate) -> dict[str, Any]:
    return {
        "iso_code": governorate.iso_code,
        "name": localized_dict(governorate, "name"),
        "is_kurdistan_region": governorate.is_kurdistan_region,
    }


def _category(category: Category) -> dict[str, Any]:
    return {"slug": category.slug, "name": localized_dict(category, "name"), "ordering": category.ordering}


def _life_event(life_event: LifeEvent) -> dict[str, Any]:
    return {
        "slug": life_event.slug,
        "name": localized_dict(life_event, "name"),
        "description": localized_dict(life_event, "description"),
        "ordering": life_event.ordering,
    }


def _departments() -> list[Department]:
    offices = Office.objects.select_related("governorate").order_by("code")
    return list(
        Department.objects.select_related("parent", "governorate")
        .prefetch_related(Prefetch("offices", queryset=offices))
        .order_by("ordering", "slug")
    )


def _department(department: Department) -> dict[str, Any]:
    return {
        "slug": department.slug,
        "kind": department.kind,
        "parent": department.parent.slug if department.parent else None,
        "governorate": department.governorate.iso_code if department.governorate else None,
        **_texts(department, DEPARTMENT_TEXTS),
        "website": department.website,
        "phone": department.phone,
        "email": department.email,
        "is_demo": department.is_demo,
        "is_published": department.is_published,
        "ordering": department.ordering,
        "offices": [_office(office) for office in department.offices.all()],
    }


def _office(office: Office) -> dict[str, Any]:
    return {
        "code": office.code,
        "governorate": office.governorate.iso_code,
        **_texts(office, OFFICE_TEXTS),
        "phone": office.phone,
        # Six decimals survive a float exactly enough to come back as the same Decimal.
        "latitude": float(office.latitude) if office.latitude is not None else None,
        "longitude": float(office.longitude) if office.longitude is not None else None,
        "is_demo": office.is_demo,
    }


def services_for_export() -> list[Service]:
    """Every service with all it refers to, in a fixed number of queries, sorted by slug."""
    return list(
        Service.objects.select_related("department")
        .prefetch_related(
            Prefetch("steps", queryset=ServiceStep.objects.order_by("position", "pk")),
            Prefetch("documents", queryset=RequiredDocument.objects.order_by("position", "pk")),
            Prefetch("fees", queryset=ServiceFee.objects.order_by("position", "pk")),
            Prefetch("media", queryset=ServiceMedia.objects.order_by("position", "pk")),
            Prefetch("categories", queryset=Category.objects.only("slug")),
            Prefetch("life_events", queryset=LifeEvent.objects.only("slug")),
            Prefetch("offices", queryset=Office.objects.only("code")),
            Prefetch("related_services", queryset=Service.objects.only("slug")),
        )
        .order_by("slug")
    )


def service_document(service: Service) -> dict[str, Any]:
    """One service as the document writes it; `service` should come from services_for_export()."""
    steps = list(service.steps.all())
    step_numbers = {step.pk: number for number, step in enumerate(steps, start=1)}
    return {
        "slug": service.slug,
        "department": service.department.slug,
        **_texts(service, SERVICE_TEXTS),
        "classification": service.classification,
        "channels": list(service.channels),
        "is_account_required": service.is_account_required,
        "online_url": service.online_url,
        "duration_min_days": service.duration_min_days,
        "duration_max_days": service.duration_max_days,
        "categories": sorted(c.slug for c in service.categories.all()),
        "life_events": sorted(e.slug for e in service.life_events.all()),
        "offices": sorted(o.code for o in service.offices.all()),
        "related_services": sorted(s.slug for s in service.related_services.all()),
        "last_reviewed_on": service.last_reviewed_on.isoformat() if service.last_reviewed_on else None,
        "is_published": service.is_published,
        "is_demo": service.is_demo,
        "popularity": service.popularity,
        "steps": [{"location": s.location, "url": s.url, **_texts(s, STEP_TEXTS)} for s in steps],
        "documents": [_texts(d, DOCUMENT_TEXTS) for d in service.documents.all()],
        "fees": [{"label": localized_dict(f, "label"), "amount_iqd": f.amount_iqd} for f in service.fees.all()],
        "media": [_media(m, step_numbers) for m in service.media.all()],
    }


def _media(media: ServiceMedia, step_numbers: dict[int, int]) -> dict[str, Any]:
    return {
        "kind": media.kind,
        "step": step_numbers.get(media.step_id) if media.step_id else None,
        "image": _file(media.image),
        "video_file": _file(media.video_file),
        "video_url": media.video_url,
        "poster": _file(media.poster),
        "captions": {language: _file(getattr(media, f"captions_{language}")) for language in CONTENT_LANGUAGES},
        **_texts(media, MEDIA_TEXTS),
        "size_bytes": media.size_bytes,
        "duration_seconds": media.duration_seconds,
    }
