"""Load a catalogue document into the database: validate everything first, then write in one transaction.

Records are matched by their stable keys (slug, ISO code, office code): existing ones are updated,
new ones created, nothing is deleted. A service's steps, documents, fees and media are replaced as a
whole, because their positions carry the meaning. The document format is docs/catalogue-format.md.

The document may come from anyone with an operator account, so nothing in it is trusted: every value
is type-checked before it reaches a model, a record that failed validation is never saved, and file
paths must stay inside the media folder given.
"""

import datetime
import glob
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

import reversion
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from bawaba.catalog.constants import Channel, MediaKind
from bawaba.catalog.media import (
    IMAGE_FIELDS,
    PROCESSED_FILE_NAME,
    media_file_check,
    media_file_name,
    service_media_process,
)
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
from bawaba.catalog.revisions import register_catalogue_models
from bawaba.catalog.search import search_index_update
from bawaba.catalog.transfer.errors import CatalogueImportFailed, Problem
from bawaba.catalog.transfer.format import (
    CATEGORY_FIELDS,
    DEPARTMENT_FIELDS,
    DEPARTMENT_TEXTS,
    DOCUMENT_FIELDS,
    DOCUMENT_TEXTS,
    FEE_FIELDS,
    FORMAT_NAME,
    FORMAT_VERSION,
    GOVERNORATE_FIELDS,
    LIFE_EVENT_FIELDS,
    LIST_KEYS,
    MAX_DOCUMENT_BYTES,
    MAX_PROBLEMS,
    MEDIA_FIELDS,
    MEDIA_FILE_FIELDS,
    MEDIA_TEXTS,
    OFFICE_FIELDS,
    OFFICE_TEXTS,
    SERVICE_FIELDS,
    SERVICE_TEXTS,
    STEP_FIELDS,
    STEP_TEXTS,
    SYNONYM_FIELDS,
)
from bawaba.core.errors import ValidationFailed
from bawaba.core.i18n import CONTENT_LANGUAGES

# Stored in revision history in one fixed language (see _record_revisions).
IMPORT_REVISION_COMMENT = "Imported from a catalogue file."
TRANSLATED = frozenset(CONTENT_LANGUAGES)
GOVERNORATE_KEYS = frozenset(GOVERNORATE_FIELDS)
CATEGORY_KEYS = frozenset(CATEGORY_FIELDS)
LIFE_EVENT_KEYS = frozenset(LIFE_EVENT_FIELDS)
DEPARTMENT_KEYS = frozenset(DEPARTMENT_FIELDS)
OFFICE_KEYS = frozenset(OFFICE_FIELDS)
SERVICE_KEYS = frozenset(SERVICE_FIELDS)
STEP_KEYS = frozenset(STEP_FIELDS)
DOCUMENT_KEYS = frozenset(DOCUMENT_FIELDS)
FEE_KEYS = frozenset(FEE_FIELDS)
MEDIA_KEYS = frozenset(MEDIA_FIELDS)
SYNONYM_KEYS = frozenset(SYNONYM_FIELDS)


@dataclass(frozen=True)
class _MediaFile:
    """A media file of the document, checked, and how it will be stored."""

    source: Path
    extension: str
    # An image processed by another server comes with its narrower copies, stored under their names.
    processed_copies: tuple[Path, ...] = ()


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # Every service the document wrote, for whoever must refresh what depends on them (search).
    service_ids: list[int] = field(default_factory=list)
    dry_run: bool = False

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
        self.left_out = 0

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __len__(self) -> int:
        return len(self.problems) + self.left_out

    def add(self, location: str, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.left_out += 1
            return
        self.problems.append(Problem(location, message))

    def add_validation_error(self, location: str, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add(location if name == "__all__" else f"{location}.{name}", message)
        else:
            for message in error.messages:
                self.add(location, message)

    def as_list(self) -> list[Problem]:
        if not self.left_out:
            return list(self.problems)
        return [
            *self.problems,
            Problem("$", _("%(count)d more problems not shown; fix these first") % {"count": self.left_out}),
        ]


def document_from_json(data: bytes | str) -> Any:
    """Parse a JSON catalogue file, refusing what Python's parser would otherwise let through."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CatalogueImportFailed(
            [Problem("$", _("the file is larger than %(size)d MB") % {"size": MAX_DOCUMENT_BYTES // 1024 // 1024})]
        )
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CatalogueImportFailed([Problem(f"byte {error.start}", _("the file is not UTF-8 text"))]) from None
    try:
        document = json.loads(data, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        location = f"line {error.lineno}, column {error.colno}"
        raise CatalogueImportFailed(
            [Problem(location, _("not valid JSON: %(reason)s") % {"reason": error.msg})]
        ) from None
    except ValueError as error:
        raise CatalogueImportFailed([Problem("$", str(error))]) from None
    except RecursionError:
        raise CatalogueImportFailed([Problem("$", _("the document is nested too deeply"))]) from None
    try:
        # "\ud800" is valid JSON but not text: no database stores half a surrogate pair, and a
        # lookup or a save would fail with an encoding error rather than a problem report.
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise CatalogueImportFailed(
            [Problem("$", _("the file contains text that is not valid Unicode (a lone surrogate such as \\ud800)"))]
        ) from None
    return document


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys; an operator would never notice the first was ignored.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(_("the key %(key)r appears twice in one object") % {"key": key})
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(_("%(name)s is not a number JSON allows") % {"name": name})


def _validate(instance: models.Model, location: str, problems: _Collector, exclude: list[str] | None = None) -> bool:
    before = len(problems)
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        problems.add_validation_error(location, error)
    return len(problems) == before


def _is_in_a_loop(department_id: int, parents: Mapping[int, int | None]) -> bool:
    seen = {department_id}
    current = parents.get(department_id)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


class CatalogueImporter:
    def __init__(
        self,
        document: Any,
        *,
        media_root: Path | None = None,
        dry_run: bool = False,
        user: AbstractBaseUser | None = None,
    ) -> None:
        self.document = document
        self.media_root = media_root.resolve() if media_root else None
        self.dry_run = dry_run
        self.user = user
        self.problems = _Collector()
        self.report = ImportReport(dry_run=dry_run)
        self._storage_is_media_root = self._media_root_is_storage()
        self._written_files: list[tuple[Any, str]] = []
        self._departments: list[Department] = []
        self._service_slugs: set[str] = set()
        self._office_codes: set[str] = set()

    def run(self) -> ImportReport:
        self._check_envelope()
        register_catalogue_models()
        # One transaction: a problem anywhere rolls back everything written before it.
        with transaction.atomic():
            self._import_governorates(self._list("governorates"))
            self._import_named(Category, "categories", CATEGORY_KEYS, self._list("categories"))
            self._import_named(LifeEvent, "life_events", LIFE_EVENT_KEYS, self._list("life_events"))
            self._import_departments(self._list("departments"))
            services = self._import_services(self._list("services"))
            self._link_related_services(services)
            self._import_synonyms(self._list("synonyms"))
            if not self.problems and not self.dry_run:
                self._record_revisions([service for service, _related, _location in services])
                search_index_update(service_ids=[service.pk for service, _, _ in services])
            if self.problems or self.dry_run:
                transaction.set_rollback(True)
        if self.problems or self.dry_run:
            self._delete_written_files()
        if self.problems:
            raise CatalogueImportFailed(self.problems.as_list())
        if self.dry_run:
            self.report.service_ids = []  # nothing was written
        return self.report

    def _check_envelope(self) -> None:
        if not isinstance(self.document, dict):
            raise CatalogueImportFailed([Problem("$", _("the document must be a JSON object"))])
        if self.document.get("format") != FORMAT_NAME or self.document.get("version") != FORMAT_VERSION:
            raise CatalogueImportFailed(
                [
                    Problem(
                        "$",
                        _('expected "format": "%(name)s" and "version": %(version)d')
                        % {"name": FORMAT_NAME, "version": FORMAT_VERSION},
                    )
                ]
            )
        unknown = self._unknown_keys(self.document, frozenset({"format", "version", *LIST_KEYS}))
        if unknown:
            raise CatalogueImportFailed([Problem("$", _("unknown field(s): %(fields)s") % {"fields": unknown})])

    # Reading values: each helper records a problem and returns a harmless value when the type is wrong.

    @staticmethod
    def _unknown_keys(item: dict[str, Any], allowed: frozenset[str]) -> str:
        # Keys starting with "_" are notes for people (JSON has no comments).
        unknown = sorted(key for key in item if key not in allowed and not key.startswith("_"))
        return ", ".join(repr(key) for key in unknown)

    def _object(self, item: Any, location: str, allowed: frozenset[str]) -> dict[str, Any] | None:
        if not isinstance(item, dict):
            self.problems.add(location, _("must be an object"))
            return None
        unknown = self._unknown_keys(item, allowed)
        if unknown:
            self.problems.add(location, _("unknown field(s): %(fields)s") % {"fields": unknown})
        return item

    def _list(self, key: str, item: dict[str, Any] | None = None, location: str | None = None) -> list[Any]:
        source = self.document if item is None else item
        value = source.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(location or key, _("must be a list"))
            return []
        return value

    def _key(self, item: dict[str, Any], name: str, location: str) -> str | None:
        """A record's stable key (slug, code): required, text."""
        value = item.get(name)
        if not isinstance(value, str) or not value.strip():
            self.problems.add(f"{location}.{name}", _("is required and must be text"))
            return None
        if "\x00" in value:
            self.problems.add(f"{location}.{name}", _("must not contain NUL characters"))
            return None
        return value.strip()

    def _text(self, item: dict[str, Any], name: str, location: str) -> str:
        value = item.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problems.add(f"{location}.{name}", _("must be text"))
            return ""
        if "\x00" in value:
            self.problems.add(f"{location}.{name}", _("must not contain NUL characters"))
            return ""
        return value.strip()

    def _boolean(self, item: dict[str, Any], name: str, location: str, default: bool) -> bool:
        value = item.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            # bool("false") is True: a quoted "false" would otherwise publish a draft.
            self.problems.add(f"{location}.{name}", _("must be true or false"))
            return default
        return value

    def _whole_number(self, item: dict[str, Any], name: str, location: str, default: int | None = None) -> int | None:
        value = item.get(name)
        if value is None:
            return default
        # bool is an int in Python; 2.5 days or dinars is a typo, not something to round.
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problems.add(f"{location}.{name}", _("must be a whole number, 0 or more"))
            return default
        return value

    def _translated(self, values: dict[str, Any], prefix: str, data: Any, location: str) -> None:
        """Copy {"ar": ..., "ckb": ..., "en": ...} into prefix_ar, prefix_ckb, prefix_en."""
        if data is None:
            data = {}
        if isinstance(data, str):
            data = {"ar": data}
        if not isinstance(data, dict):
            self.problems.add(location, _("must be an object with ar, ckb and en texts"))
            return
        unknown = set(data) - TRANSLATED
        if unknown:
            self.problems.add(
                location, _("unknown language(s): %(languages)s") % {"languages": ", ".join(sorted(unknown))}
            )
        for language in CONTENT_LANGUAGES:
            values[f"{prefix}_{language}"] = self._text(data, language, location)

    def _slug_list(self, data: Any, location: str) -> list[str]:
        if data is None:
            return []
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            self.problems.add(location, _("must be a list of slugs"))
            return []
        return data

    def _duplicate(self, seen: set[str], key: str, location: str) -> bool:
        if key in seen:
            self.problems.add(location, _("%(key)r appears twice") % {"key": key})
            return True
        seen.add(key)
        return False

    # Writing records.

    def _upsert(
        self,
        model: type[models.Model],
        lookup: dict[str, Any],
        values: dict[str, Any],
        location: str,
        kind: str,
        exclude: list[str] | None = None,
        is_complete: bool = True,
    ) -> Any:
        """Create or update one record, if it is valid; None otherwise (its problems are recorded).

        `is_complete` is False when one of the values was already reported and left out: the record
        is still checked, to report its other problems, but never saved (the database would refuse it).
        """
        instance = model._default_manager.filter(**lookup).first()
        created = instance is None
        if instance is None:
            instance = model(**lookup)
        for name, value in values.items():
            setattr(instance, name, value)
        if not _validate(instance, location, self.problems, exclude=exclude) or not is_complete:
            return None
        instance.save()
        self.report.count(kind, created=created)
        return instance

    def _import_governorates(self, items: list[Any]) -> None:
        seen: set[str] = set()
        for index, raw in enumerate(items):
            location = f"governorates[{index}]"
            item = self._object(raw, location, GOVERNORATE_KEYS)
            if item is None:
                continue
            code = self._key(item, "iso_code", location)
            if code is None or self._duplicate(seen, code, f"{location}.iso_code"):
                continue
            values: dict[str, Any] = {
                "is_kurdistan_region": self._boolean(item, "is_kurdistan_region", location, False)
            }
            self._translated(values, "name", item.get("name"), f"{location}.name")
            self._upsert(Governorate, {"iso_code": code}, values, location, "governorates")

    def _import_named(self, model: type[models.Model], key: str, allowed: frozenset[str], items: list[Any]) -> None:
        seen: set[str] = set()
        for index, raw in enumerate(items):
            location = f"{key}[{index}]"
            item = self._object(raw, location, allowed)
            if item is None:
                continue
            slug = self._key(item, "slug", location)
            if slug is None or self._duplicate(seen, slug, f"{location}.slug"):
                continue
            values: dict[str, Any] = {"ordering": self._whole_number(item, "ordering", location, (index + 1) * 10)}
            self._translated(values, "name", item.get("name"), f"{location}.name")
            if model is LifeEvent:
                self._translated(values, "description", item.get("description"), f"{location}.description")
            self._upsert(model, {"slug": slug}, values, location, key)

    def _governorate(self, code: Any, location: str) -> Governorate | None:
        if code is None or code == "":
            return None
        if not isinstance(code, str):
            self.problems.add(location, _("must be an ISO 3166-2 code such as IQ-BG"))
            return None
        governorate = Governorate.objects.filter(iso_code=code).first()
        if governorate is None:
            self.problems.add(location, _("unknown governorate %(code)r") % {"code": code})
        return governorate

    def _import_departments(self, items: list[Any]) -> None:
        pending_parents: list[tuple[Department, str, str]] = []
        seen: set[str] = set()
        seen_offices: set[str] = set()
        for index, raw in enumerate(items):
            location = f"departments[{index}]"
            item = self._object(raw, location, DEPARTMENT_KEYS)
            if item is None:
                continue
            slug = self._key(item, "slug", location)
            if slug is None or self._duplicate(seen, slug, f"{location}.slug"):
                continue
            values: dict[str, Any] = {
                "kind": self._text(item, "kind", location),
                "website": self._text(item, "website", location),
                "phone": self._text(item, "phone", location),
                "email": self._text(item, "email", location),
                "is_demo": self._boolean(item, "is_demo", location, False),
                "is_published": self._boolean(item, "is_published", location, True),
                "ordering": self._whole_number(item, "ordering", location, (index + 1) * 10),
                "governorate": self._governorate(item.get("governorate"), f"{location}.governorate"),
            }
            for name in DEPARTMENT_TEXTS:
                self._translated(values, name, item.get(name), f"{location}.{name}")
            parent_slug = self._text(item, "parent", location)
            offices = self._list("offices", item, f"{location}.offices")
            department = self._upsert(Department, {"slug": slug}, values, location, "departments", exclude=["parent"])
            if department is None:
                continue
            self._departments.append(department)
            if parent_slug:
                pending_parents.append((department, parent_slug, f"{location}.parent"))
            elif department.parent_id is not None:
                department.parent = None
                department.save(update_fields=["parent"])
            for office_index, office in enumerate(offices):
                self._import_office(department, office, f"{location}.offices[{office_index}]", seen_offices)
        for department, parent_slug, location in pending_parents:
            parent = Department.objects.filter(slug=parent_slug).first()
            if parent is None:
                self.problems.add(location, _("unknown department %(slug)r") % {"slug": parent_slug})
                continue
            department.parent = parent
            department.save(update_fields=["parent"])
        parents = dict(Department.objects.values_list("pk", "parent_id"))
        for department, _parent_slug, location in pending_parents:
            if _is_in_a_loop(department.pk, parents):
                self.problems.add(location, _("makes departments part of each other in a loop"))

    def _import_office(self, department: Department, raw: Any, location: str, seen: set[str]) -> None:
        item = self._object(raw, location, OFFICE_KEYS)
        if item is None:
            return
        code = self._key(item, "code", location)
        if code is None or self._duplicate(seen, code, f"{location}.code"):
            return
        self._office_codes.add(code)
        governorate = self._governorate(item.get("governorate"), f"{location}.governorate")
        values: dict[str, Any] = {
            "department": department,
            "phone": self._text(item, "phone", location),
            "is_demo": self._boolean(item, "is_demo", location, department.is_demo),
        }
        for coordinate in ("latitude", "longitude"):
            raw_value = item.get(coordinate)
            if raw_value is None or raw_value == "":
                values[coordinate] = None
                continue
            try:
                if isinstance(raw_value, bool) or not isinstance(raw_value, int | float | str):
                    raise InvalidOperation
                number = Decimal(str(raw_value))
                if not number.is_finite():
                    raise InvalidOperation
                values[coordinate] = number
            except InvalidOperation:
                self.problems.add(f"{location}.{coordinate}", _("must be a number"))
        for name in OFFICE_TEXTS:
            self._translated(values, name, item.get(name), f"{location}.{name}")
        # A governorate that is named but unknown is already reported: the office is checked for its
        # other problems, then left unsaved (its governorate cannot be null) and unchanged if it exists.
        is_reported = governorate is None and item.get("governorate") not in (None, "")
        if not is_reported:
            values["governorate"] = governorate
        self._upsert(
            Office,
            {"code": code},
            values,
            location,
            "offices",
            exclude=["governorate"] if is_reported else None,
            is_complete=not is_reported,
        )

    def _import_services(self, items: list[Any]) -> list[tuple[Service, list[str], str]]:
        imported: list[tuple[Service, list[str], str]] = []
        departments = {d.slug: d for d in Department.objects.all()}
        categories = {c.slug: c for c in Category.objects.all()}
        life_events = {e.slug: e for e in LifeEvent.objects.all()}
        offices = {o.code: o for o in Office.objects.all()}
        seen = self._service_slugs
        for index, raw in enumerate(items):
            location = f"services[{index}]"
            item = self._object(raw, location, SERVICE_KEYS)
            if item is None:
                continue
            slug = self._key(item, "slug", location)
            if slug is None or self._duplicate(seen, slug, f"{location}.slug"):
                continue
            department_slug = item.get("department")
            department = departments.get(department_slug) if isinstance(department_slug, str) else None
            if department is None:
                self.problems.add(
                    f"{location}.department", _("unknown department %(slug)r") % {"slug": department_slug}
                )
                continue
            channels = item.get("channels")
            if channels is None:
                channels = []
            if not isinstance(channels, list) or not all(isinstance(c, str) and c in Channel.values for c in channels):
                self.problems.add(
                    f"{location}.channels",
                    _("must be a list of: %(channels)s") % {"channels": ", ".join(Channel.values)},
                )
                channels = []
            values: dict[str, Any] = {
                "department": department,
                "channels": list(dict.fromkeys(channels)),
                "classification": self._text(item, "classification", location) or "procedural",
                "is_account_required": self._boolean(item, "is_account_required", location, False),
                "online_url": self._text(item, "online_url", location),
                "duration_min_days": self._whole_number(item, "duration_min_days", location),
                "duration_max_days": self._whole_number(item, "duration_max_days", location),
                "is_published": self._boolean(item, "is_published", location, True),
                "is_demo": self._boolean(item, "is_demo", location, False),
                "popularity": self._whole_number(item, "popularity", location, 0),
                "last_reviewed_on": self._date(item.get("last_reviewed_on"), f"{location}.last_reviewed_on"),
            }
            for name in SERVICE_TEXTS:
                self._translated(values, name, item.get(name), f"{location}.{name}")
            low, high = values["duration_min_days"], values["duration_max_days"]
            if low is not None and high is not None and low > high:
                self.problems.add(f"{location}.duration_min_days", _("is longer than duration_max_days"))
            service = self._upsert(Service, {"slug": slug}, values, location, "services")
            if service is None:
                continue
            service.categories.set(self._resolve(categories, item.get("categories"), f"{location}.categories"))
            service.life_events.set(self._resolve(life_events, item.get("life_events"), f"{location}.life_events"))
            # An office of the document that failed has its own problem listed.
            listed = self._slug_list(item.get("offices"), f"{location}.offices")
            wanted = [code for code in listed if code in offices or code not in self._office_codes]
            service.offices.set(self._resolve(offices, wanted, f"{location}.offices"))
            self._replace_children(service, item, location)
            self.report.service_ids.append(service.pk)
            related = self._slug_list(item.get("related_services"), f"{location}.related_services")
            imported.append((service, related, location))
        return imported

    def _resolve(self, known: dict[str, Any], slugs: Any, location: str) -> list[Any]:
        found = []
        for slug in self._slug_list(slugs, location):
            if slug not in known:
                self.problems.add(location, _("unknown %(slug)r") % {"slug": slug})
            else:
                found.append(known[slug])
        return found

    def _date(self, raw: Any, location: str) -> datetime.date | None:
        if raw is None or raw == "":
            return None
        try:
            if not isinstance(raw, str):
                raise ValueError
            return datetime.date.fromisoformat(raw)
        except ValueError:
            self.problems.add(location, _("must be a date written YYYY-MM-DD"))
            return None

    def _replace_children(self, service: Service, item: dict[str, Any], location: str) -> None:
        service.media.all().delete()
        service.steps.all().delete()
        service.documents.all().delete()
        service.fees.all().delete()
        # A step that failed validation keeps its place as None, so media still find their step by number.
        steps: list[ServiceStep | None] = []
        for index, raw in enumerate(self._list("steps", item, f"{location}.steps")):
            step_location = f"{location}.steps[{index}]"
            step_data = self._object(raw, step_location, STEP_KEYS)
            if step_data is None:
                steps.append(None)
                continue
            values: dict[str, Any] = {
                "location": self._text(step_data, "location", step_location),
                "url": self._text(step_data, "url", step_location),
            }
            for name in STEP_TEXTS:
                self._translated(values, name, step_data.get(name), f"{step_location}.{name}")
            step = ServiceStep(service=service, position=index + 1, **values)
            if _validate(step, step_location, self.problems, exclude=["service"]):
                step.save()
                steps.append(step)
            else:
                steps.append(None)
        documents: list[RequiredDocument] = []
        for index, raw in enumerate(self._list("documents", item, f"{location}.documents")):
            document_location = f"{location}.documents[{index}]"
            document_data = self._object(raw, document_location, DOCUMENT_KEYS)
            if document_data is None:
                continue
            values = {}
            for name in DOCUMENT_TEXTS:
                self._translated(values, name, document_data.get(name), f"{document_location}.{name}")
            document = RequiredDocument(service=service, position=index + 1, **values)
            if _validate(document, document_location, self.problems, exclude=["service"]):
                documents.append(document)
        RequiredDocument.objects.bulk_create(documents)
        fees: list[ServiceFee] = []
        for index, raw in enumerate(self._list("fees", item, f"{location}.fees")):
            fee_location = f"{location}.fees[{index}]"
            fee_data = self._object(raw, fee_location, FEE_KEYS)
            if fee_data is None:
                continue
            amount = fee_data.get("amount_iqd")
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                self.problems.add(f"{fee_location}.amount_iqd", _("must be a whole number of dinars, 0 or more"))
                amount = None
            values = {"amount_iqd": amount}
            self._translated(values, "label", fee_data.get("label"), f"{fee_location}.label")
            fee = ServiceFee(service=service, position=index + 1, **values)
            if amount is not None and _validate(fee, fee_location, self.problems, exclude=["service"]):
                fees.append(fee)
        ServiceFee.objects.bulk_create(fees)
        for index, media_data in enumerate(self._list("media", item, f"{location}.media")):
            self._import_media(service, steps, media_data, index + 1, f"{location}.media[{index}]")

    def _media_source(self, relative: Any, location: str) -> Path | None:
        """The file a media entry names, which must be inside the media folder (no `..`, no absolute path)."""
        if not isinstance(relative, str):
            self.problems.add(location, _("must be a file path"))
            return None
        if self.media_root is None:
            self.problems.add(location, _("file %(path)r not found: no media folder was given") % {"path": relative})
            return None
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or "\\" in relative or "\x00" in relative:
            self.problems.add(location, _("%(path)r must be a path inside the media folder") % {"path": relative})
            return None
        path = (self.media_root / pure).resolve()
        if not path.is_relative_to(self.media_root) or not path.is_file():
            self.problems.add(location, _("file %(path)r not found") % {"path": relative})
            return None
        return path

    def _media_root_is_storage(self) -> bool:
        """Whether the media folder is where uploads are stored: files there are then used in place, not copied."""
        storage = ServiceMedia._meta.get_field("image").storage
        if self.media_root is None or not isinstance(storage, FileSystemStorage):
            return False
        return self.media_root == Path(storage.location).resolve()

    def _import_media(
        self, service: Service, steps: list[ServiceStep | None], raw: Any, position: int, location: str
    ) -> None:
        item = self._object(raw, location, MEDIA_KEYS)
        if item is None:
            return
        values: dict[str, Any] = {
            "kind": self._text(item, "kind", location),
            "video_url": self._text(item, "video_url", location),
        }
        for name in MEDIA_TEXTS:
            self._translated(values, name, item.get(name), f"{location}.{name}")
        step_number = item.get("step")
        step = None
        if step_number is not None:
            if isinstance(step_number, bool) or not isinstance(step_number, int) or not 1 <= step_number <= len(steps):
                self.problems.add(
                    f"{location}.step", _("must be a step number from 1 to %(count)d") % {"count": len(steps)}
                )
                return
            step = steps[step_number - 1]
            if step is None:
                return  # that step has its own problem
        media = ServiceMedia(service=service, step=step, position=position, **values)
        captions = item.get("captions")
        if captions is None:
            captions = {}
        if not isinstance(captions, dict) or set(captions) - TRANSLATED:
            self.problems.add(f"{location}.captions", _("must be an object with ar, ckb and en file paths"))
            captions = {}
        files = {name: item.get(name) for name in MEDIA_FILE_FIELDS}
        files |= {f"captions_{language}": captions.get(language) for language in CONTENT_LANGUAGES}
        found: dict[str, Path] = {}
        checked: dict[str, _MediaFile] = {}
        for field_name, relative in files.items():
            if relative is None or relative == "":
                continue
            source = self._media_source(relative, f"{location}.{field_name}")
            if source is not None:
                found[field_name] = source
                # Checked even in a dry run: "Check the file" must find what an import would refuse.
                media_file = self._media_file(field_name, source, f"{location}.{field_name}")
                if media_file is not None:
                    checked[field_name] = media_file
        if values["kind"] == MediaKind.IMAGE and "image" not in found and not item.get("image"):
            self.problems.add(location, _("an image needs an image file"))
        if values["kind"] == MediaKind.VIDEO and not (
            "video_file" in found or item.get("video_file") or media.video_url
        ):
            self.problems.add(location, _("a video needs a video file or a video address"))
        stored = found.get("video_file") or found.get("image")
        media.size_bytes = self._whole_number(item, "size_bytes", location) or (
            stored.stat().st_size if stored else None
        )
        media.duration_seconds = self._whole_number(item, "duration_seconds", location)
        file_fields = [*files]
        if not _validate(media, location, self.problems, exclude=["service", "step", *file_fields]):
            return
        if self.problems or self.dry_run or len(checked) < len([f for f in files.values() if f]):
            # Nothing will be kept: leave the storage alone rather than copy files only to orphan them.
            return
        for field_name, media_file in checked.items():
            self._store_file(media, field_name, media_file)
        media.save()
        try:
            service_media_process(media=media)
        except ValidationFailed as error:
            for name, messages in error.fields.items():
                for message in messages:
                    self.problems.add(f"{location}.{name}", message)

    def _media_file(self, field_name: str, source: Path, location: str) -> _MediaFile | None:
        """Check a media file by its bytes before anything is stored; None (and a problem) if it is refused.

        A file copied into the storage gets a name the server chooses. A file used where it is (the
        media folder is the storage) or an image processed elsewhere keeps its name, which must then
        say what the file is.
        """
        in_place = self._storage_is_media_root
        processed = PROCESSED_FILE_NAME.match(source.name) if field_name in IMAGE_FIELDS else None
        keeps_name = in_place or processed is not None
        extension = self._check_file(field_name, source, location, name=source.name if keeps_name else None)
        if extension is None:
            return None
        if in_place or processed is None:
            return _MediaFile(source=source, extension=extension)
        copies = tuple(
            sibling
            for sibling in sorted(source.parent.glob(f"{glob.escape(processed['base'])}-*w.webp"))
            if (match := PROCESSED_FILE_NAME.match(sibling.name)) and match["base"] == processed["base"]
        )
        for copy in copies:
            if copy != source and self._check_file(field_name, copy, location, name=copy.name) is None:
                return None
        return _MediaFile(source=source, extension=extension, processed_copies=copies)

    def _check_file(self, field_name: str, source: Path, location: str, *, name: str | None) -> str | None:
        try:
            with source.open("rb") as handle:
                return media_file_check(field_name=field_name, content=handle, name=name)
        except ValidationFailed as failure:
            for message in failure.fields.get(field_name, []):
                self.problems.add(location, _("%(file)s: %(problem)s") % {"file": source.name, "problem": message})
        except OSError:
            self.problems.add(location, _("file %(path)r cannot be read") % {"path": source.name})
        return None

    def _store_file(self, media: ServiceMedia, field_name: str, media_file: _MediaFile) -> None:
        """Point a media field at its file, storing a copy unless the media folder is the storage itself."""
        field_file: FieldFile = getattr(media, field_name)
        storage = field_file.storage
        source = media_file.source
        if self._storage_is_media_root and self.media_root is not None:
            # Already stored (an export read back in): point at it rather than store a copy.
            field_file.name = source.relative_to(self.media_root).as_posix()
            return
        if not media_file.processed_copies:
            name = media_file_name(field_name=field_name, extension=media_file.extension)
            with source.open("rb") as handle:
                field_file.save(name, File(handle), save=False)
            self._written_files.append((storage, field_file.name or ""))
            return
        # Pages find the narrower copies of a processed image by name: bring them all, under the same names.
        target_folder = PurePosixPath(field_file.field.generate_filename(media, source.name)).parent
        for copy in media_file.processed_copies:
            name = str(target_folder / copy.name)
            if not storage.exists(name):
                with copy.open("rb") as handle:
                    saved = storage.save(name, File(handle))
                self._written_files.append((storage, saved))
        field_file.name = str(target_folder / source.name)

    def _link_related_services(self, services: list[tuple[Service, list[str], str]]) -> None:
        by_slug = {s.slug: s for s in Service.objects.all()}
        for service, related_slugs, location in services:
            # A related service that is in the document but failed has its own problem listed.
            failed = {slug for slug in related_slugs if slug in self._service_slugs and slug not in by_slug}
            wanted = [slug for slug in related_slugs if slug not in failed]
            related = self._resolve(by_slug, wanted, f"{location}.related_services")
            service.related_services.set(related)

    def _import_synonyms(self, items: list[Any]) -> None:
        seen: set[str] = set()
        for index, raw in enumerate(items):
            location = f"synonyms[{index}]"
            item = self._object(raw, location, SYNONYM_KEYS)
            if item is None:
                continue
            term = self._key(item, "term", location)
            expansion = self._key(item, "expansion", location)
            if term is None or expansion is None or self._duplicate(seen, term, f"{location}.term"):
                continue
            self._upsert(
                SearchSynonym,
                {"term": term},
                {"expansion": expansion, "note": self._text(item, "note", location)},
                location,
                "synonyms",
            )

    def _record_revisions(self, services: list[Service]) -> None:
        """One revision per service and per department, so an editor can go back to the imported guide."""
        for record in [*self._departments, *services]:
            with reversion.create_revision(atomic=False):
                # Stored once for every reader of the history, so in one fixed language rather than
                # whichever language the importing request happened to use.
                reversion.set_comment(IMPORT_REVISION_COMMENT)
                if self.user is not None:
                    reversion.set_user(self.user)
                reversion.add_to_revision(record)

    def _delete_written_files(self) -> None:
        for storage, name in self._written_files:
            storage.delete(name)
        self._written_files.clear()


def catalogue_import(
    *,
    document: Any,
    media_root: Path | None = None,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
) -> ImportReport:
    """Import a whole catalogue document; raises CatalogueImportFailed listing every problem, having written nothing.

    With `dry_run`, everything is checked and counted as if imported, then rolled back; files are
    looked for but not copied.
    """
    return CatalogueImporter(document, media_root=media_root, dry_run=dry_run, user=user).run()
