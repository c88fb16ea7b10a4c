"""Load a catalogue document into the database: validate everything first, then write in one transaction.

Records are matched by their stable keys (slug, ISO code, office code): existing ones are updated,
new ones created, nothing is deleted. A service's steps, documents, fees and media are replaced as a
whole, because their positions carry the meaning.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction

from bawaba.catalog.constants import Channel, MediaKind
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
from bawaba.catalog.transfer.errors import CatalogueImportFailed, Problem
from bawaba.core.i18n import CONTENT_LANGUAGES

FORMAT_NAME = "bawaba-catalogue"
FORMAT_VERSION = 1


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        return ", ".join(
            f"{kind}: {self.created.get(kind, 0)} new, {self.updated.get(kind, 0)} updated" for kind in kinds
        )


class _Collector:
    """Gathers every problem in the document, so the operator can fix them all in one pass."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    def add_validation_error(self, location: str, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add(f"{location}.{name}", message)
        else:
            for message in error.messages:
                self.add(location, message)


def _translated(values: dict[str, Any], prefix: str, data: Any, location: str, problems: _Collector) -> None:
    """Copy {"ar": ..., "ckb": ..., "en": ...} into prefix_ar, prefix_ckb, prefix_en."""
    if data is None:
        return
    if isinstance(data, str):
        data = {"ar": data}
    if not isinstance(data, dict):
        problems.add(location, "must be an object with ar, ckb and en texts")
        return
    unknown = set(data) - set(CONTENT_LANGUAGES)
    if unknown:
        problems.add(location, f"unknown language(s): {', '.join(sorted(unknown))}")
    for language in CONTENT_LANGUAGES:
        text = data.get(language, "")
        if not isinstance(text, str):
            problems.add(f"{location}.{language}", "must be text")
            continue
        values[f"{prefix}_{language}"] = text.strip()


def _validate(instance: models.Model, location: str, problems: _Collector, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        problems.add_validation_error(location, error)


def _slug_list(data: Any, location: str, problems: _Collector) -> list[str]:
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        problems.add(location, "must be a list of slugs")
        return []
    return data


class CatalogueImporter:
    def __init__(self, document: Any, *, media_root: Path | None = None) -> None:
        self.document = document
        self.media_root = media_root
        self.problems = _Collector()
        self.report = ImportReport()

    def run(self) -> ImportReport:
        if not isinstance(self.document, dict):
            raise CatalogueImportFailed([Problem("$", "the document must be a JSON object")])
        if self.document.get("format") != FORMAT_NAME or self.document.get("version") != FORMAT_VERSION:
            raise CatalogueImportFailed(
                [Problem("$", f'expected "format": "{FORMAT_NAME}" and "version": {FORMAT_VERSION}')]
            )
        # One transaction: a problem anywhere rolls back everything written before it.
        with transaction.atomic():
            self._import_governorates(self._list("governorates"))
            self._import_named(Category, "categories", self._list("categories"))
            self._import_named(LifeEvent, "life_events", self._list("life_events"))
            self._import_departments(self._list("departments"))
            services = self._import_services(self._list("services"))
            self._link_related_services(services)
            self._import_synonyms(self._list("synonyms"))
            if self.problems.problems:
                transaction.set_rollback(True)
        if self.problems.problems:
            raise CatalogueImportFailed(self.problems.problems)
        return self.report

    def _list(self, key: str) -> list[Any]:
        value = self.document.get(key, [])
        if not isinstance(value, list):
            self.problems.add(key, "must be a list")
            return []
        return value

    def _upsert(
        self,
        model: type[models.Model],
        lookup: dict[str, Any],
        values: dict[str, Any],
        location: str,
        kind: str,
        exclude: list[str] | None = None,
    ) -> Any:
        instance = model._default_manager.filter(**lookup).first()
        created = instance is None
        if instance is None:
            instance = model(**lookup)
        for name, value in values.items():
            setattr(instance, name, value)
        before = len(self.problems.problems)
        _validate(instance, location, self.problems, exclude=exclude)
        if len(self.problems.problems) > before:
            return None
        instance.save()
        self.report.count(kind, created=created)
        return instance

    def _import_governorates(self, items: list[Any]) -> None:
        for index, item in enumerate(items):
            location = f"governorates[{index}]"
            if not isinstance(item, dict) or not item.get("iso_code"):
                self.problems.add(location, "needs an iso_code")
                continue
            values: dict[str, Any] = {"is_kurdistan_region": bool(item.get("is_kurdistan_region", False))}
            _translated(values, "name", item.get("name"), f"{location}.name", self.problems)
            self._upsert(Governorate, {"iso_code": item["iso_code"]}, values, location, "governorates")

    def _import_named(self, model: type[models.Model], key: str, items: list[Any]) -> None:
        for index, item in enumerate(items):
            location = f"{key}[{index}]"
            if not isinstance(item, dict) or not item.get("slug"):
                self.problems.add(location, "needs a slug")
                continue
            values: dict[str, Any] = {"ordering": item.get("ordering", (index + 1) * 10)}
            _translated(values, "name", item.get("name"), f"{location}.name", self.problems)
            if model is LifeEvent:
                _translated(values, "description", item.get("description"), f"{location}.description", self.problems)
            self._upsert(model, {"slug": item["slug"]}, values, location, key)

    def _governorate(self, code: Any, location: str) -> Governorate | None:
        if not code:
            return None
        governorate = Governorate.objects.filter(iso_code=code).first()
        if governorate is None:
            self.problems.add(location, f"unknown governorate {code!r}")
        return governorate

    def _import_departments(self, items: list[Any]) -> None:
        pending_parents: list[tuple[Department, str, str]] = []
        for index, item in enumerate(items):
            location = f"departments[{index}]"
            if not isinstance(item, dict) or not item.get("slug"):
                self.problems.add(location, "needs a slug")
                continue
            values: dict[str, Any] = {
                "kind": item.get("kind", ""),
                "website": item.get("website", ""),
                "phone": item.get("phone", ""),
                "email": item.get("email", ""),
                "is_demo": bool(item.get("is_demo", False)),
                "is_published": bool(item.get("is_published", True)),
                "ordering": item.get("ordering", (index + 1) * 10),
                "governorate": self._governorate(item.get("governorate"), f"{location}.governorate"),
            }
            for name in ("name", "description", "head_title", "head_name"):
                _translated(values, name, item.get(name), f"{location}.{name}", self.problems)
            department = self._upsert(
                Department, {"slug": item["slug"]}, values, location, "departments", exclude=["parent"]
            )
            if department is None:
                continue
            if item.get("parent"):
                pending_parents.append((department, item["parent"], f"{location}.parent"))
            for office_index, office in enumerate(item.get("offices") or []):
                self._import_office(department, office, f"{location}.offices[{office_index}]")
        for department, parent_slug, location in pending_parents:
            parent = Department.objects.filter(slug=parent_slug).first()
            if parent is None:
                self.problems.add(location, f"unknown department {parent_slug!r}")
                continue
            department.parent = parent
            department.save(update_fields=["parent"])

    def _import_office(self, department: Department, item: Any, location: str) -> None:
        if not isinstance(item, dict) or not item.get("code"):
            self.problems.add(location, "needs a code")
            return
        values: dict[str, Any] = {
            "department": department,
            "governorate": self._governorate(item.get("governorate"), f"{location}.governorate"),
            "phone": item.get("phone", ""),
            "is_demo": bool(item.get("is_demo", department.is_demo)),
        }
        for coordinate in ("latitude", "longitude"):
            raw = item.get(coordinate)
            try:
                values[coordinate] = None if raw in (None, "") else Decimal(str(raw))
            except InvalidOperation:
                self.problems.add(f"{location}.{coordinate}", "must be a number")
        for name in ("name", "address", "opening_hours"):
            _translated(values, name, item.get(name), f"{location}.{name}", self.problems)
        self._upsert(Office, {"code": item["code"]}, values, location, "offices")

    def _import_services(self, items: list[Any]) -> list[tuple[Service, list[str], str]]:
        imported: list[tuple[Service, list[str], str]] = []
        departments = {d.slug: d for d in Department.objects.all()}
        categories = {c.slug: c for c in Category.objects.all()}
        life_events = {e.slug: e for e in LifeEvent.objects.all()}
        offices = {o.code: o for o in Office.objects.all()}
        seen: set[str] = set()
        for index, item in enumerate(items):
            location = f"services[{index}]"
            if not isinstance(item, dict) or not item.get("slug"):
                self.problems.add(location, "needs a slug")
                continue
            if item["slug"] in seen:
                self.problems.add(f"{location}.slug", f"{item['slug']!r} appears twice")
                continue
            seen.add(item["slug"])
            department = departments.get(item.get("department", ""))
            if department is None:
                self.problems.add(f"{location}.department", f"unknown department {item.get('department')!r}")
                continue
            channels = item.get("channels", [])
            if not isinstance(channels, list) or set(channels) - set(Channel.values):
                self.problems.add(f"{location}.channels", f"must be a list of: {', '.join(Channel.values)}")
                channels = []
            values: dict[str, Any] = {
                "department": department,
                "channels": channels,
                "classification": item.get("classification", "procedural"),
                "is_account_required": bool(item.get("is_account_required", False)),
                "online_url": item.get("online_url", ""),
                "duration_min_days": item.get("duration_min_days"),
                "duration_max_days": item.get("duration_max_days"),
                "is_published": bool(item.get("is_published", True)),
                "is_demo": bool(item.get("is_demo", False)),
                "popularity": item.get("popularity", 0),
                "last_reviewed_on": self._date(item.get("last_reviewed_on"), f"{location}.last_reviewed_on"),
            }
            for name in ("name", "summary", "eligibility", "legal_basis", "fee_note"):
                _translated(values, name, item.get(name), f"{location}.{name}", self.problems)
            low, high = values["duration_min_days"], values["duration_max_days"]
            if isinstance(low, int) and isinstance(high, int) and low > high:
                self.problems.add(f"{location}.duration_min_days", "is longer than duration_max_days")
            service = self._upsert(Service, {"slug": item["slug"]}, values, location, "services")
            if service is None:
                continue
            service.categories.set(self._resolve(categories, item.get("categories"), f"{location}.categories"))
            service.life_events.set(self._resolve(life_events, item.get("life_events"), f"{location}.life_events"))
            service.offices.set(self._resolve(offices, item.get("offices"), f"{location}.offices"))
            self._replace_children(service, item, location)
            imported.append((service, _slug_list(item.get("related_services"), location, self.problems), location))
        return imported

    def _resolve(self, known: dict[str, Any], slugs: Any, location: str) -> list[Any]:
        found = []
        for slug in _slug_list(slugs, location, self.problems):
            if slug not in known:
                self.problems.add(location, f"unknown {slug!r}")
            else:
                found.append(known[slug])
        return found

    def _date(self, raw: Any, location: str) -> datetime.date | None:
        if not raw:
            return None
        try:
            return datetime.date.fromisoformat(str(raw))
        except ValueError:
            self.problems.add(location, "must be a date written YYYY-MM-DD")
            return None

    def _replace_children(self, service: Service, item: dict[str, Any], location: str) -> None:
        service.steps.all().delete()
        service.documents.all().delete()
        service.fees.all().delete()
        service.media.all().delete()
        steps: list[ServiceStep] = []
        for position, step_data in enumerate(item.get("steps") or [], start=1):
            step_location = f"{location}.steps[{position - 1}]"
            if not isinstance(step_data, dict):
                self.problems.add(step_location, "must be an object")
                continue
            values: dict[str, Any] = {"location": step_data.get("location", ""), "url": step_data.get("url", "")}
            for name in ("title", "body"):
                _translated(values, name, step_data.get(name), f"{step_location}.{name}", self.problems)
            step = ServiceStep(service=service, position=position, **values)
            _validate(step, step_location, self.problems, exclude=["service"])
            step.save()
            steps.append(step)
        for position, document_data in enumerate(item.get("documents") or [], start=1):
            document_location = f"{location}.documents[{position - 1}]"
            values = {}
            if not isinstance(document_data, dict):
                self.problems.add(document_location, "must be an object")
                continue
            for name in ("name", "note"):
                _translated(values, name, document_data.get(name), f"{document_location}.{name}", self.problems)
            document = RequiredDocument(service=service, position=position, **values)
            _validate(document, document_location, self.problems, exclude=["service"])
            document.save()
        for position, fee_data in enumerate(item.get("fees") or [], start=1):
            fee_location = f"{location}.fees[{position - 1}]"
            if not isinstance(fee_data, dict):
                self.problems.add(fee_location, "must be an object")
                continue
            values = {"amount_iqd": fee_data.get("amount_iqd")}
            _translated(values, "label", fee_data.get("label"), f"{fee_location}.label", self.problems)
            fee = ServiceFee(service=service, position=position, **values)
            _validate(fee, fee_location, self.problems, exclude=["service"])
            if not isinstance(fee.amount_iqd, int) or fee.amount_iqd < 0:
                self.problems.add(f"{fee_location}.amount_iqd", "must be a whole number of dinars, 0 or more")
                continue
            fee.save()
        for position, media_data in enumerate(item.get("media") or [], start=1):
            self._import_media(service, steps, media_data, position, f"{location}.media[{position - 1}]")

    def _import_media(
        self, service: Service, steps: list[ServiceStep], item: Any, position: int, location: str
    ) -> None:
        if not isinstance(item, dict):
            self.problems.add(location, "must be an object")
            return
        values: dict[str, Any] = {"kind": item.get("kind", ""), "video_url": item.get("video_url", "")}
        for name in ("alt", "caption"):
            _translated(values, name, item.get(name), f"{location}.{name}", self.problems)
        step_number = item.get("step")
        step = None
        if step_number is not None:
            if not isinstance(step_number, int) or not 1 <= step_number <= len(steps):
                self.problems.add(f"{location}.step", f"must be a step number from 1 to {len(steps)}")
                return
            step = steps[step_number - 1]
        media = ServiceMedia(service=service, step=step, position=position, **values)
        files = {"image": item.get("image"), "video_file": item.get("video_file"), "poster": item.get("poster")}
        files |= {f"captions_{language}": (item.get("captions") or {}).get(language) for language in CONTENT_LANGUAGES}
        opened = []
        for field_name, relative in files.items():
            if not relative:
                continue
            path = (self.media_root / relative) if self.media_root else None
            if path is None or not path.is_file():
                self.problems.add(f"{location}.{field_name}", f"file {relative!r} not found")
                continue
            handle = path.open("rb")
            opened.append(handle)
            getattr(media, field_name).save(path.name, File(handle), save=False)
        try:
            if values["kind"] == MediaKind.IMAGE and not media.image:
                self.problems.add(location, "an image needs an image file")
            if values["kind"] == MediaKind.VIDEO and not (media.video_file or media.video_url):
                self.problems.add(location, "a video needs a video file or a video address")
            stored = media.video_file or media.image
            media.size_bytes = item.get("size_bytes") or (stored.size if stored else None)
            media.duration_seconds = item.get("duration_seconds")
            _validate(media, location, self.problems, exclude=["service", "step"])
            media.save()
        finally:
            for handle in opened:
                handle.close()

    def _link_related_services(self, services: list[tuple[Service, list[str], str]]) -> None:
        by_slug = {s.slug: s for s in Service.objects.all()}
        for service, related_slugs, location in services:
            related = self._resolve(by_slug, related_slugs, f"{location}.related_services")
            service.related_services.set(related)

    def _import_synonyms(self, items: list[Any]) -> None:
        for index, item in enumerate(items):
            location = f"synonyms[{index}]"
            if not isinstance(item, dict) or not item.get("term") or not item.get("expansion"):
                self.problems.add(location, "needs a term and an expansion")
                continue
            self._upsert(
                SearchSynonym,
                {"term": item["term"]},
                {"expansion": item["expansion"], "note": item.get("note", "")},
                location,
                "synonyms",
            )


def catalogue_import(*, document: Any, media_root: Path | None = None) -> ImportReport:
    """Import a whole catalogue document; raises CatalogueImportFailed listing every problem, having written nothing."""
    return CatalogueImporter(document, media_root=media_root).run()
