"""People and form data for the admin tests (no tests here; the admin test modules import these)."""

from typing import Any

from django.urls import reverse

from bawaba.accounts.constants import StaffRoleKind
from bawaba.catalog.models import Department, Service
from bawaba.core.i18n import CONTENT_LANGUAGES
from tests.factories import make_staff_member

GUIDE_PARTS = ("steps", "documents", "fees", "media")
SERVICE_TEXTS = ("name", "summary", "eligibility", "legal_basis", "fee_note")


def make_staff(username: str, *, departments: tuple[Department, ...] = (), superuser: bool = False) -> Any:
    """A content editor of `departments` (an operator when `superuser`), with a second factor, so that
    force_login opens a staff session as the staff sign-in would."""
    roles = tuple((StaffRoleKind.CONTENT_EDITOR, department) for department in departments)
    return make_staff_member(username, roles=roles, superuser=superuser)


def empty_parts(**counts: int) -> dict[str, Any]:
    """Management forms for the four guide-part inlines, none of them changed."""
    data: dict[str, Any] = {}
    for prefix in GUIDE_PARTS:
        data |= {
            f"{prefix}-TOTAL_FORMS": counts.get(prefix, 0),
            f"{prefix}-INITIAL_FORMS": counts.get(prefix, 0),
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    return data


def service_form(service: Service, **changes: Any) -> dict[str, Any]:
    """What the admin change form posts for `service` (no guide parts), with `changes` applied."""
    data: dict[str, Any] = {
        "slug": service.slug,
        "department": service.department_id,
        "classification": service.classification,
        "channels": list(service.channels),
        "online_url": service.online_url,
        "duration_min_days": service.duration_min_days or "",
        "duration_max_days": service.duration_max_days or "",
        "categories": [c.pk for c in service.categories.all()],
        "life_events": [e.pk for e in service.life_events.all()],
        "offices": [o.pk for o in service.offices.all()],
        "related_services": [s.pk for s in service.related_services.all()],
        "last_reviewed_on": service.last_reviewed_on.isoformat() if service.last_reviewed_on else "",
        "popularity": service.popularity,
    }
    if service.is_published:
        data["is_published"] = "on"
    for name in SERVICE_TEXTS:
        for language in CONTENT_LANGUAGES:
            data[f"{name}_{language}"] = getattr(service, f"{name}_{language}")
    data |= empty_parts(**{part: getattr(service, part).count() for part in GUIDE_PARTS})
    for part, rows in (("steps", service.steps.order_by("position")),):
        for index, step in enumerate(rows):
            data |= {
                f"{part}-{index}-id": step.pk,
                f"{part}-{index}-service": service.pk,
                f"{part}-{index}-position": step.position,
                f"{part}-{index}-location": step.location,
                f"{part}-{index}-url": step.url,
                **{f"{part}-{index}-title_{lang}": getattr(step, f"title_{lang}") for lang in CONTENT_LANGUAGES},
                **{f"{part}-{index}-body_{lang}": getattr(step, f"body_{lang}") for lang in CONTENT_LANGUAGES},
            }
    for index, document in enumerate(service.documents.order_by("position")):
        data |= {
            f"documents-{index}-id": document.pk,
            f"documents-{index}-service": service.pk,
            f"documents-{index}-position": document.position,
            **{f"documents-{index}-name_{lang}": getattr(document, f"name_{lang}") for lang in CONTENT_LANGUAGES},
            **{f"documents-{index}-note_{lang}": getattr(document, f"note_{lang}") for lang in CONTENT_LANGUAGES},
        }
    for index, fee in enumerate(service.fees.order_by("position")):
        data |= {
            f"fees-{index}-id": fee.pk,
            f"fees-{index}-service": service.pk,
            f"fees-{index}-position": fee.position,
            f"fees-{index}-amount_iqd": fee.amount_iqd,
            **{f"fees-{index}-label_{lang}": getattr(fee, f"label_{lang}") for lang in CONTENT_LANGUAGES},
        }
    data.update(changes)
    return data


def admin_url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=args)


def snapshot(service: Service) -> dict[str, Any]:
    """Everything an attacker might try to change, to assert a denial changed nothing."""
    service.refresh_from_db()
    return {
        "department": service.department_id,
        "name_ar": service.name_ar,
        "summary_ar": service.summary_ar,
        "offices": sorted(service.offices.values_list("pk", flat=True)),
        "steps": list(service.steps.order_by("position").values_list("title_ar", flat=True)),
        "updated_at": service.updated_at,
    }


def test_a_scoped_admin_that_names_no_scope_shows_nothing(db, service):
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    from bawaba.catalog.admin.base import DepartmentScopedAdmin
    from bawaba.catalog.models import Service

    scoped = DepartmentScopedAdmin(Service, django_admin.site)
    request = RequestFactory().get("/")
    assert list(scoped.scope_queryset(request, Service.objects.all())) == []
    assert scoped.department_id_of(service) == service.department_id
