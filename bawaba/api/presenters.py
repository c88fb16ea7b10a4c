"""Turn catalogue records into API dictionaries in one language. No queries beyond what the selectors prefetched."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from bawaba.catalog.constants import Channel
from bawaba.catalog.models import Department, Office, Service, ServiceMedia
from bawaba.core.i18n import localized


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _file_url(request: HttpRequest, field: Any) -> str | None:
    return _absolute(request, field.url) if field else None


def page_url(request: HttpRequest, name: str, slug: str, language: str) -> str:
    with translation.override(language):
        return _absolute(request, reverse(name, kwargs={"slug": slug}))


def department_ref(department: Department, language: str) -> dict[str, str]:
    return {"slug": department.slug, "name": localized(department, "name", language)}


def service_summary(request: HttpRequest, service: Service, language: str) -> dict[str, Any]:
    return {
        "slug": service.slug,
        "name": localized(service, "name", language),
        "summary": localized(service, "summary", language),
        "department": department_ref(service.department, language),
        "url": page_url(request, "catalog:service_detail", service.slug, language),
    }


def media_item(request: HttpRequest, media: ServiceMedia, language: str) -> dict[str, Any]:
    captions = getattr(media, f"captions_{language}") or media.captions_ar or media.captions_en
    return {
        "kind": media.kind,
        "alt": localized(media, "alt", language),
        "caption": localized(media, "caption", language),
        "image_url": _file_url(request, media.image),
        "video_url": _file_url(request, media.video_file) or (media.video_url or None),
        "poster_url": _file_url(request, media.poster),
        "captions_url": _file_url(request, captions),
        "size_bytes": media.size_bytes,
        "duration_seconds": media.duration_seconds,
    }


def office_item(office: Office, language: str) -> dict[str, Any]:
    return {
        "code": office.code,
        "name": localized(office, "name", language),
        "address": localized(office, "address", language),
        "opening_hours": localized(office, "opening_hours", language),
        "phone": office.phone,
        "governorate": {
            "iso_code": office.governorate.iso_code,
            "name": localized(office.governorate, "name", language),
        },
        "latitude": float(office.latitude) if office.latitude is not None else None,
        "longitude": float(office.longitude) if office.longitude is not None else None,
    }


def service_detail(request: HttpRequest, service: Service, language: str) -> dict[str, Any]:
    with translation.override(language):
        channel_labels = {code: str(label) for code, label in Channel.choices}
        steps = [
            {
                "position": step.position,
                "location": step.location,
                "location_label": str(step.get_location_display()),
                "url": step.url,
                "title": localized(step, "title", language),
                "body": localized(step, "body", language),
                "media": [media_item(request, media, language) for media in step.media.all()],
            }
            for step in service.steps.all()
        ]
    return {
        **service_summary(request, service, language),
        "eligibility": localized(service, "eligibility", language),
        "legal_basis": localized(service, "legal_basis", language),
        "fees": [
            {"label": localized(fee, "label", language), "amount_iqd": fee.amount_iqd} for fee in service.fees.all()
        ],
        "fee_note": localized(service, "fee_note", language),
        "duration": {"min_working_days": service.duration_min_days, "max_working_days": service.duration_max_days},
        "channels": [{"code": code, "label": channel_labels.get(code, code)} for code in service.channels],
        "classification": service.classification,
        "is_account_required": service.is_account_required,
        "online_url": service.online_url,
        "steps": steps,
        "documents": [
            {"name": localized(document, "name", language), "note": localized(document, "note", language)}
            for document in service.documents.all()
        ],
        "media": [media_item(request, media, language) for media in service.media.all()],
        "categories": [{"slug": c.slug, "name": localized(c, "name", language)} for c in service.categories.all()],
        "life_events": [{"slug": e.slug, "name": localized(e, "name", language)} for e in service.life_events.all()],
        "related_services": [
            {
                "slug": other.slug,
                "name": localized(other, "name", language),
                "url": page_url(request, "catalog:service_detail", other.slug, language),
            }
            for other in service.related_services.all()
        ],
        "offices": [office_item(office, language) for office in service.offices.all()],
        "last_reviewed_on": service.last_reviewed_on,
        "is_demo": service.is_demo,
    }


def department_item(request: HttpRequest, department: Department, language: str) -> dict[str, Any]:
    with translation.override(language):
        kind_label = str(department.get_kind_display())
    return {
        "slug": department.slug,
        "kind": department.kind,
        "kind_label": kind_label,
        "name": localized(department, "name", language),
        "description": localized(department, "description", language),
        "website": department.website,
        "parent": department_ref(department.parent, language) if department.parent else None,
        "service_count": getattr(department, "service_count", 0),
        "url": page_url(request, "catalog:department_detail", department.slug, language),
    }
