"""Who holds which staff role, and where: the one place every app asks (catalogue, cases, open data, admin).

A role is held for one department, or everywhere for the national roles (operator, national admin).
A department's roles reach the directorates under it, however deep (catalog `Department.parent`), so
the health ministry's case officer also works the cases of its directorates. Active staff superusers
hold every role everywhere. Everyone else, citizens included, holds nothing, whatever StaffRole rows
say: the account must be an active, undeleted staff account first.

Answers are kept on the user object for the rest of the request, as Django keeps permissions: the
admin asks many times per page. A grant or revocation applies from the next request.
"""

from collections.abc import Iterable
from typing import Any, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from bawaba.accounts.constants import NATIONAL_ROLES, StaffRoleKind
from bawaba.accounts.models import StaffRole, User
from bawaba.catalog.models import Department

AnyUser = AbstractBaseUser | AnonymousUser

_CACHE_ATTRIBUTE = "_bawaba_staff_roles"

# Roles only national admins grant: a department admin must not mint their own peers or anyone national.
NATIONAL_ADMIN_GRANTS_ONLY = frozenset({*NATIONAL_ROLES, StaffRoleKind.DEPARTMENT_ADMIN})


def is_staff_member(user: AnyUser) -> bool:
    """An active, undeleted staff account: the only kind that holds roles or enters the back office."""
    return bool(
        user.is_authenticated
        and user.is_active
        and getattr(user, "is_staff", False)
        and getattr(user, "deleted_at", None) is None
    )


def is_superuser(user: AnyUser) -> bool:
    return is_staff_member(user) and bool(getattr(user, "is_superuser", False))


def _cache(user: AnyUser) -> dict[Any, Any]:
    cache = getattr(user, _CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTRIBUTE, cache)
    return cast(dict[Any, Any], cache)


def _held(user: AnyUser) -> frozenset[tuple[str, int | None]]:
    """(role, department id) for every role row of a staff member; nothing for anyone else."""
    if not is_staff_member(user):
        return frozenset()
    cache = _cache(user)
    if "held" not in cache:
        rows = StaffRole.objects.filter(user_id=user.pk or 0).values_list("role", "department_id")
        cache["held"] = frozenset((str(role), department) for role, department in rows)
    return cast(frozenset[tuple[str, int | None]], cache["held"])


def department_with_descendants(department_ids: Iterable[int]) -> frozenset[int]:
    """The departments and every directorate under them; `seen` stops a parent loop."""
    seen = set(department_ids)
    frontier = set(seen)
    while frontier:
        children = set(
            Department.objects.filter(parent_id__in=frontier).exclude(pk__in=seen).values_list("pk", flat=True)
        )
        seen |= children
        frontier = children
    return frozenset(seen)


def department_ids_for(user: AnyUser, *, roles: Iterable[str]) -> frozenset[int] | None:
    """The departments where `user` holds one of `roles` (their directorates included).

    None means every department: a superuser, or someone holding a national role among `roles`.
    An empty set means none, which is what citizens, anonymous visitors and inactive staff get.
    """
    wanted = frozenset(str(role) for role in roles)
    if is_superuser(user):
        return None
    held = _held(user)
    if any(role in wanted and role in NATIONAL_ROLES for role, _department in held):
        return None
    cache = _cache(user)
    key = ("departments", wanted)
    if key not in cache:
        direct = {department for role, department in held if role in wanted and department is not None}
        cache[key] = department_with_descendants(direct) if direct else frozenset()
    return cast(frozenset[int], cache[key])


def _department_id(department: Department | int | None) -> int | None:
    if department is None or isinstance(department, int):
        return department
    return department.pk


def has_role(user: AnyUser, role: str, department: Department | int | None = None) -> bool:
    """Whether `user` holds `role`: anywhere when `department` is None, else for that department
    (held there, on a ministry above it, or nationally for a national role)."""
    if is_superuser(user):
        return True
    held = _held(user)
    if role in NATIONAL_ROLES:
        return (str(role), None) in held
    if department is None:
        return any(held_role == role for held_role, _department in held)
    ids = department_ids_for(user, roles=[role])
    return ids is None or _department_id(department) in ids


def has_any_role(user: AnyUser, roles: Iterable[str]) -> bool:
    return any(has_role(user, role) for role in roles)


def roles_of(user: AnyUser) -> QuerySet[StaffRole]:
    """The role rows of a staff member, for pages that list them."""
    return StaffRole.objects.filter(user_id=(user.pk or 0) if is_staff_member(user) else 0).select_related("department")


# What each part of the back office asks. Superusers pass every one of these through has_role.


def may_see_citizens(user: AnyUser) -> bool:
    """Citizens' accounts are seen by the national administrators and the operators, and nobody else."""
    return has_role(user, StaffRoleKind.NATIONAL_ADMIN) or has_role(user, StaffRoleKind.OPERATOR)


def may_verify_in_person(user: AnyUser) -> bool:
    """Service-centre clerks (case officers of any department) and operators confirm a number in person."""
    return has_role(user, StaffRoleKind.CASE_OFFICER) or has_role(user, StaffRoleKind.OPERATOR)


def role_department_ids_managed_by(user: AnyUser) -> frozenset[int] | None:
    """Departments whose department-level roles `user` manages: all for national admins, their own
    (and directorates) for department admins, none for anyone else."""
    if has_role(user, StaffRoleKind.NATIONAL_ADMIN):
        return None
    return department_ids_for(user, roles=[StaffRoleKind.DEPARTMENT_ADMIN])


def may_manage_roles(user: AnyUser) -> bool:
    ids = role_department_ids_managed_by(user)
    return ids is None or bool(ids)


def grantable_roles_for(user: AnyUser) -> list[str]:
    """The roles `user` may grant (or revoke), in the order of StaffRoleKind."""
    if has_role(user, StaffRoleKind.NATIONAL_ADMIN):
        return list(StaffRoleKind.values)
    if not may_manage_roles(user):
        return []
    return [role for role in StaffRoleKind.values if role not in NATIONAL_ADMIN_GRANTS_ONLY]


def may_change_role(user: AnyUser, *, holder: AnyUser | User, role: str, department: Department | int | None) -> bool:
    """Whether `user` may grant `role` in `department` to `holder`, or revoke it from them.

    Nobody changes their own roles; only national admins touch national roles and department admins;
    a department admin works only inside their departments (and the directorates under them).
    """
    if not is_staff_member(user) or holder.pk == user.pk:
        return False
    if role not in grantable_roles_for(user):
        return False
    ids = role_department_ids_managed_by(user)
    if ids is None:
        return True
    department_id = _department_id(department)
    return department_id is not None and department_id in ids


def staff_roles_visible_to(user: AnyUser) -> QuerySet[StaffRole]:
    """Role rows `user` may list: all for national admins, their departments' rows for department admins."""
    roles = StaffRole.objects.select_related("user", "department", "granted_by")
    ids = role_department_ids_managed_by(user)
    if ids is None:
        return roles
    return roles.filter(department_id__in=ids)


def staff_users_visible_to(user: AnyUser) -> QuerySet[User]:
    """Accounts `user` may see in the back office: everyone for those who may see citizens, staff
    accounts for those who manage roles (to grant them one), nobody for the others."""
    if may_see_citizens(user):
        return User.objects.all()
    if may_manage_roles(user):
        return User.objects.filter(is_staff=True)
    return User.objects.none()
