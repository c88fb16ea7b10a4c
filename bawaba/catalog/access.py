"""Who may manage which part of the catalogue in the back office. Every admin class asks here.

Operators (the `operator` staff role, or an active staff superuser) manage everything. A content
editor (the `content_editor` role for one or more departments) manages those departments, the
directorates under them, and the services and offices of all of these. Everyone else manages
nothing, whatever Django model permissions they hold: the role is the one rule, so an IDOR needs a
bug here, not in every view. Roles are read through bawaba.accounts.staff.selectors, the one place
that knows who holds what. See docs/decisions/0004-admin-and-revisions.md and 0012-staff-roles.md.
"""

from collections.abc import Iterable
from typing import Any, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Field, Q, QuerySet

from bawaba.accounts.constants import StaffRoleKind
from bawaba.accounts.staff.selectors import department_ids_for, has_role
from bawaba.catalog.models import (
    Department,
    Office,
    RequiredDocument,
    Service,
    ServiceFee,
    ServiceFeedback,
    ServiceMedia,
    ServiceStep,
)
from bawaba.core.errors import NotFound

AnyUser = AbstractBaseUser | AnonymousUser

# Fields that decide where a department sits and whether the public sees it. Changing them moves
# services between editors or unpublishes a ministry, so only operators may.
DEPARTMENT_OPERATOR_ONLY_FIELDS: tuple[str, ...] = (
    "slug",
    "kind",
    "parent",
    "governorate",
    "is_published",
    "is_demo",
    "ordering",
)
# `popularity` ranks services against other departments' services; `is_demo` labels content.
SERVICE_OPERATOR_ONLY_FIELDS: tuple[str, ...] = ("popularity", "is_demo")
OFFICE_OPERATOR_ONLY_FIELDS: tuple[str, ...] = ("is_demo",)

# Roles that reach the catalogue: editors for their departments, operators for all of them.
CATALOGUE_ROLES = (StaffRoleKind.CONTENT_EDITOR, StaffRoleKind.OPERATOR)

# How to find the department that owns each kind of versioned record today.
_OWNER_FIELD: dict[type[Any], str] = {
    Department: "pk",
    Office: "department_id",
    Service: "department_id",
    ServiceStep: "service__department_id",
    RequiredDocument: "service__department_id",
    ServiceFee: "service__department_id",
    ServiceMedia: "service__department_id",
}


def is_catalogue_operator(user: AnyUser) -> bool:
    """An operator sees and changes the whole catalogue, its vocabularies, imports and exports."""
    return has_role(user, StaffRoleKind.OPERATOR)


def department_ids_editable_by(user: AnyUser) -> frozenset[int] | None:
    """The ids of the departments `user` may manage; None means all of them (an operator).

    Remembered for the rest of the request by the staff selectors: the admin asks many times per
    page. A change of role applies from the next request.
    """
    return department_ids_for(user, roles=CATALOGUE_ROLES)


def departments_editable_by(user: AnyUser, *, among: QuerySet[Department] | None = None) -> QuerySet[Department]:
    departments = Department.objects.all() if among is None else among
    ids = department_ids_editable_by(user)
    return departments if ids is None else departments.filter(pk__in=ids)


def can_manage_catalogue(user: AnyUser) -> bool:
    """Whether the catalogue appears in the back office for `user` at all."""
    ids = department_ids_editable_by(user)
    return ids is None or bool(ids)


def services_editable_by(user: AnyUser, *, among: QuerySet[Service] | None = None) -> QuerySet[Service]:
    services = Service.objects.all() if among is None else among
    ids = department_ids_editable_by(user)
    return services if ids is None else services.filter(department_id__in=ids)


def offices_editable_by(user: AnyUser, *, among: QuerySet[Office] | None = None) -> QuerySet[Office]:
    offices = Office.objects.all() if among is None else among
    ids = department_ids_editable_by(user)
    return offices if ids is None else offices.filter(department_id__in=ids)


def services_linkable_by(user: AnyUser) -> QuerySet[Service]:
    """Services an editor may list as related: their own, and any service the public can already see."""
    ids = department_ids_editable_by(user)
    if ids is None:
        return Service.objects.all()
    return Service.objects.filter(Q(department_id__in=ids) | Q(is_published=True, department__is_published=True))


def department_is_editable_by(user: AnyUser, department_id: int | None) -> bool:
    ids = department_ids_editable_by(user)
    return ids is None or department_id in ids


def feedback_visible_to(user: AnyUser, *, among: QuerySet[ServiceFeedback] | None = None) -> QuerySet[ServiceFeedback]:
    feedback = ServiceFeedback.objects.all() if among is None else among
    ids = department_ids_editable_by(user)
    return feedback if ids is None else feedback.filter(service__department_id__in=ids)


def service_get_for_editor(*, service_id: int | str, user: AnyUser) -> Service:
    """The service, if `user` may manage it. Otherwise NotFound, so that ids of others' services reveal nothing."""
    try:
        return services_editable_by(user).get(pk=service_id)
    except (Service.DoesNotExist, ValueError):
        raise NotFound(code="service_not_found") from None


def department_get_for_editor(*, department_id: int | str, user: AnyUser) -> Department:
    try:
        return departments_editable_by(user).get(pk=department_id)
    except (Department.DoesNotExist, ValueError):
        raise NotFound(code="department_not_found") from None


def office_get_for_editor(*, office_id: int | str, user: AnyUser) -> Office:
    try:
        return offices_editable_by(user).get(pk=office_id)
    except (Office.DoesNotExist, ValueError):
        raise NotFound(code="office_not_found") from None


def revision_restorable_by(*, user: AnyUser, versions: Iterable[tuple[type[Any], str, dict[str, Any]]]) -> bool:
    """Whether restoring these saved versions keeps everything inside what `user` manages.

    `versions` are (model, object id, saved field values) for every object a revert would write.
    A revert writes old values straight to the database, so it must pass the same rules as a form:
    - what is restored: a service or office only into one of the editor's departments, guide parts
      only of such services, a department only with its operator-only fields as they are now, and
      a service only with its address and operator-only fields as they are now;
    - what is overwritten: every object of the revision that exists today must be the editor's
      today, wherever its saved version says it was (an operator may have moved it since);
    - what is deleted: a revert with `delete=True` also deletes the current guide parts of the
      revision's services and the current offices of its departments that the revision lacks
      (bawaba.catalog.revisions). Those belong to objects checked by the rule above, so they are
      the editor's too.
    """
    ids = department_ids_editable_by(user)
    if ids is None:
        return True
    if not ids:
        return False
    records = list(versions)
    if any(model not in _OWNER_FIELD for model, _object_id, _fields in records):
        return False
    try:
        owners_now = _current_owners(records)
    except (TypeError, ValueError):
        return False  # an object id the model cannot hold: nothing to check it against
    if any(owner not in ids for owner in owners_now.values()):
        return False
    service_ids = set(Service.objects.filter(department_id__in=ids).values_list("pk", flat=True))
    for model, object_id, fields in records:
        if model is Service:
            if not _service_restorable(object_id, fields, ids):
                return False
            service_ids.add(int(object_id))
    for model, object_id, fields in records:
        if model is Service:
            continue
        if model is Office:
            allowed = fields.get("department_id") in ids and _unchanged(
                Office, object_id, fields, OFFICE_OPERATOR_ONLY_FIELDS
            )
        elif model is Department:
            allowed = _department_restorable(int(object_id), fields, ids)
        else:
            allowed = fields.get("service_id") in service_ids
        if not allowed:
            return False
    return True


def _current_owners(records: list[tuple[type[Any], str, dict[str, Any]]]) -> dict[tuple[type[Any], str], int | None]:
    """The department each record's object belongs to today, for the objects that still exist."""
    wanted: dict[type[Any], set[int]] = {}
    for model, object_id, _fields in records:
        wanted.setdefault(model, set()).add(int(object_id))
    owners: dict[tuple[type[Any], str], int | None] = {}
    for model, object_ids in wanted.items():
        rows = model._default_manager.filter(pk__in=object_ids).values_list("pk", _OWNER_FIELD[model])
        owners |= {(model, str(pk)): owner for pk, owner in rows}
    return owners


def _service_restorable(object_id: str, fields: dict[str, Any], ids: frozenset[int]) -> bool:
    # A deleted service may come back as it was, like a new one; an existing one keeps its address
    # (bookmarks and links) and what only operators set, whatever an older version says.
    return fields.get("department_id") in ids and _unchanged(
        Service, object_id, fields, (*SERVICE_OPERATOR_ONLY_FIELDS, "slug")
    )


def _unchanged(model: type[Any], object_id: str, fields: dict[str, Any], names: tuple[str, ...]) -> bool:
    """Whether the saved values of `names` equal the current row's; True when there is no current row."""
    attnames = [cast(Field, model._meta.get_field(name)).attname for name in names]
    current = model._default_manager.filter(pk=int(object_id)).values(*attnames).first()
    return current is None or all(fields.get(name) == value for name, value in current.items())


def _department_restorable(department_id: int, fields: dict[str, Any], ids: frozenset[int]) -> bool:
    if department_id not in ids:
        return False
    if not Department.objects.filter(pk=department_id).exists():
        # Editors cannot create departments, so they cannot bring a deleted one back either.
        return False
    return _unchanged(Department, str(department_id), fields, DEPARTMENT_OPERATOR_ONLY_FIELDS)
