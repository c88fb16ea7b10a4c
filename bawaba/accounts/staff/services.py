"""Staff writes: granting and revoking roles, creating staff accounts, verifying a number in person.

Every rule is checked here, not only in the admin forms, so a forged POST or another caller meets the
same refusal. Role changes are kept three ways: the AccountEvent on the holder's history (actor = the
granter), a django-reversion revision (who, when, the row as it was), and the row's `granted_by`.
"""

import datetime as dt
import re
import secrets

import reversion
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from bawaba.accounts.constants import (
    NATIONAL_ROLES,
    AccountEventKind,
    StaffRoleKind,
    VerificationPurpose,
    VerificationStatus,
)
from bawaba.accounts.events import account_event_record
from bawaba.accounts.models import AccountEvent, PhoneVerification, StaffRole, User, VerificationTicket
from bawaba.accounts.personal_data import personal_data_access_record
from bawaba.accounts.sessions.constants import EndReason
from bawaba.accounts.sessions.services import sessions_end_all
from bawaba.accounts.signup.services import full_name_clean, password_check
from bawaba.accounts.staff import selectors
from bawaba.accounts.staff.constants import IN_PERSON_LOOKUPS_PER_HOUR, IdentityDocument
from bawaba.accounts.staff.errors import RoleNotAllowed, SignUpNotFound
from bawaba.catalog.models import Department, Office
from bawaba.core.errors import PermissionDenied, ValidationFailed
from bawaba.core.ratelimit import rate_limit_check
from bawaba.notifications.recipients import normalise_phone

if not reversion.is_registered(StaffRole):
    reversion.register(StaffRole)

# Lower-case letters, digits, dots, dashes and underscores; never "c-" (citizens' generated usernames).
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{2,39}$")
# Four groups of four from an alphabet without look-alikes: typed once from a screen, then replaced.
INITIAL_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet


def _department_label(department: Department | None) -> str:
    return department.slug if department is not None else ""


def staff_role_grant(
    *,
    granted_by: User,
    user: User,
    role: str,
    department: Department | None = None,
    request: HttpRequest | None = None,
) -> StaffRole:
    """Give `user` the `role` (in `department`, None for a national role), if `granted_by` may."""
    if role not in StaffRoleKind.values:
        raise ValidationFailed(code="role_unknown", fields={"role": [_("Choose a role from the list.")]})
    if (role in NATIONAL_ROLES) != (department is None):
        message = (
            _("This role holds in every department: leave the department empty.")
            if role in NATIONAL_ROLES
            else _("Choose the department where this role holds.")
        )
        raise ValidationFailed(code="role_department_mismatch", fields={"department": [message]})
    if not selectors.is_staff_member(user):
        raise ValidationFailed(code="not_staff", fields={"user": [_("Roles are only for active staff accounts.")]})
    if not selectors.may_change_role(granted_by, holder=user, role=role, department=department):
        raise RoleNotAllowed()
    try:
        with transaction.atomic(), reversion.create_revision():
            staff_role = StaffRole.objects.create(user=user, role=role, department=department, granted_by=granted_by)
            reversion.set_user(granted_by)
            reversion.set_comment(f"Granted {role} {_department_label(department)}".strip())
            account_event_record(
                user=user,
                kind=AccountEventKind.ROLE_GRANTED,
                request=request,
                actor=granted_by,
                role=role,
                department=_department_label(department),
            )
    except IntegrityError:
        raise ValidationFailed(
            code="role_already_held", fields={"role": [_("This person already has this role there.")]}
        ) from None
    return staff_role


def staff_role_revoke(*, revoked_by: User, staff_role: StaffRole, request: HttpRequest | None = None) -> None:
    """Take a role away, if `revoked_by` could have granted it."""
    holder = staff_role.user
    if not selectors.may_change_role(
        revoked_by, holder=holder, role=staff_role.role, department=staff_role.department_id
    ):
        raise RoleNotAllowed()
    role, department = staff_role.role, staff_role.department
    with transaction.atomic():
        # django-reversion keeps only rows that exist when a revision closes: record it, then delete it.
        # The history then holds the row as it was when revoked, among the model's deleted versions.
        with reversion.create_revision():
            reversion.set_user(revoked_by)
            reversion.set_comment(f"Revoked {role} {_department_label(department)}".strip())
            reversion.add_to_revision(staff_role)
        staff_role.delete()
        account_event_record(
            user=holder,
            kind=AccountEventKind.ROLE_REVOKED,
            request=request,
            actor=revoked_by,
            role=role,
            department=_department_label(department),
        )


def username_clean(raw: str) -> str:
    username = str(raw or "").strip().lower()
    if not USERNAME_PATTERN.fullmatch(username) or username.startswith("c-"):
        raise ValidationFailed(
            code="username_invalid",
            fields={
                "username": [
                    _(
                        "Use 3 to 40 lower-case letters, digits, dots or dashes, starting with a letter, "
                        "for example sara.ahmed."
                    )
                ]
            },
        )
    return username


def initial_password_make() -> str:
    return "-".join("".join(secrets.choice(INITIAL_PASSWORD_ALPHABET) for _ in range(4)) for _group in range(4))


def staff_user_create(
    *, created_by: User, username: str, full_name: str, request: HttpRequest | None = None
) -> tuple[User, str]:
    """A new staff account with a one-time password, returned once to be handed over.

    The account must set up a second factor and choose its own password at its first sign-in (the
    history says someone else set this one). Roles are granted separately.
    """
    if not selectors.may_manage_roles(created_by):
        raise PermissionDenied()
    username = username_clean(username)
    name = " ".join(str(full_name or "").split())
    if not name or len(name) > 150:
        raise ValidationFailed(code="full_name_invalid", fields={"full_name": [_("Enter the person's full name.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(code="username_taken", fields={"username": [_("This username is taken.")]})
    password = initial_password_make()
    with transaction.atomic():
        user = User(username=username, full_name=name, is_staff=True)
        user.set_password(password)
        user.save()
        account_event_record(
            user=user, kind=AccountEventKind.PASSWORD_CHANGED, request=request, actor=created_by, initial=True
        )
    return user, password


def staff_credentials_reset(*, reset_by: User, user: User, request: HttpRequest | None = None) -> str:
    """For a staff member who lost their phone and recovery codes: a new one-time password, no second
    factor (set up again at the next sign-in), every session ended. National admins only, never their own."""
    if not selectors.has_role(reset_by, StaffRoleKind.NATIONAL_ADMIN) or user.pk == reset_by.pk or not user.is_staff:
        raise PermissionDenied()
    password = initial_password_make()
    with transaction.atomic():
        removed, _details = TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        user.set_password(password)
        user.save(update_fields=["password"])
        if removed:
            account_event_record(
                user=user, kind=AccountEventKind.SECOND_FACTOR_REMOVED, request=request, actor=reset_by, reset=True
            )
        account_event_record(
            user=user, kind=AccountEventKind.PASSWORD_CHANGED, request=request, actor=reset_by, initial=True
        )
    sessions_end_all(user=user, reason=EndReason.CREDENTIALS_RESET)
    return password


def staff_password_must_change(user: User) -> bool:
    """Whether the current password was set by someone else (an initial one): it is then used once."""
    latest = (
        AccountEvent.objects.filter(user=user, kind=AccountEventKind.PASSWORD_CHANGED)
        .order_by("-created_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    return latest is not None and latest != user.pk


def staff_password_change(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """The person's own new password; the caller has validated it."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        account_event_record(user=user, kind=AccountEventKind.PASSWORD_CHANGED, request=request, actor=user)


# In-person verification at a service centre


def offices_for_in_person(staff: User) -> list[Office]:
    """Where `staff` can say they checked someone's documents: their departments' offices, all for operators."""
    offices = Office.objects.select_related("department").order_by("name_ar")
    if selectors.has_role(staff, StaffRoleKind.OPERATOR):
        return list(offices)
    ids = selectors.department_ids_for(staff, roles=[StaffRoleKind.CASE_OFFICER])
    return list(offices if ids is None else offices.filter(department_id__in=ids))


def _pending_signup(phone: str, *, lock: bool = False) -> PhoneVerification:
    try:
        address = normalise_phone(phone, iraqi_mobile_only=True).address
    except ValidationFailed:
        raise ValidationFailed(
            code="phone_invalid",
            fields={"phone": [_("Type the whole mobile number, for example 0770 123 4567.")]},
        ) from None
    verifications = PhoneVerification.objects.select_related("user").filter(
        purpose=VerificationPurpose.SIGNUP, status=VerificationStatus.PENDING, phone=address, user__isnull=False
    )
    if lock:
        verifications = verifications.select_for_update(of=("self",))
    verification = verifications.first()
    if verification is None or verification.user is None or verification.user.phone_verified_at is not None:
        raise SignUpNotFound()
    return verification


def in_person_signup_find(*, staff: User, phone: str) -> User:
    """The account of the sign-up waiting for this exact number, for the clerk to compare with the papers.

    Only a whole number finds anything; nothing lists or searches. Showing the name is a view of
    personal data, so it is written to the citizen's log before it is returned. Each clerk has a
    number of look-ups per hour (RateLimited past it), found or not."""
    if not selectors.may_verify_in_person(staff):
        raise PermissionDenied()
    rate_limit_check(
        scope="staff-in-person-lookup",
        identity=str(staff.pk),
        limit=IN_PERSON_LOOKUPS_PER_HOUR,
        window_seconds=3600,
    )
    verification = _pending_signup(phone)
    citizen = verification.user
    assert citizen is not None  # noqa: S101 - _pending_signup returns sign-ups with an account
    personal_data_access_record(
        staff=staff,
        citizen=citizen,
        reason=_("Verifying the mobile number in person at a service centre"),
        what=_("Name and mobile number of a sign-up"),
    )
    return citizen


def phone_verify_in_person(
    *,
    staff: User,
    phone: str,
    document_type: str,
    office: Office,
    full_name: str,
    new_password: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Mark a waiting sign-up's number verified: the person stood at the desk with the phone and an
    identity document the clerk saw (its type is kept, never its number).

    The name is set from the document and the password is one the person types at the desk. The
    account's password and name so far came from whoever started the sign-up first, and nobody proved
    that was this person: an attacker could have signed the number up in advance (security review F1).
    Every ticket's pending name and password is dropped for the same reason."""
    now = now or timezone.now()
    if not selectors.may_verify_in_person(staff):
        raise PermissionDenied()
    full_name = full_name_clean(full_name)
    if document_type not in IdentityDocument.values:
        raise ValidationFailed(
            code="document_type_invalid", fields={"document_type": [_("Choose the document you saw.")]}
        )
    if office.pk not in {allowed.pk for allowed in offices_for_in_person(staff)}:
        raise ValidationFailed(code="office_invalid", fields={"office": [_("Choose your office from the list.")]})
    with transaction.atomic():
        verification = _pending_signup(phone, lock=True)
        citizen = User.objects.select_for_update().get(pk=verification.user_id or 0)
        if citizen.phone_verified_at is not None:
            raise SignUpNotFound()
        password_check(new_password, user=User(phone=citizen.phone, full_name=full_name))
        citizen.full_name = full_name
        citizen.set_password(new_password)
        VerificationTicket.objects.filter(verification=verification).delete()
        verification.status = VerificationStatus.VERIFIED
        verification.verified_at = now
        verification.save(update_fields=["status", "verified_at", "updated_at"])
        citizen.phone_verified_at = now
        citizen.save(update_fields=["phone_verified_at", "full_name", "password"])
        account_event_record(
            user=citizen,
            kind=AccountEventKind.PHONE_VERIFIED,
            request=request,
            actor=staff,
            in_person=True,
            office=office.code,
            document=document_type,
        )
        personal_data_access_record(
            staff=staff,
            citizen=citizen,
            reason=_("Verifying the mobile number in person at a service centre"),
            what=_("Mobile number verified after seeing: %(document)s")
            % {"document": IdentityDocument(document_type).label},
            department=office.department,
        )
    return citizen
