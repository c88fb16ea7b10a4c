"""Accounts in the back office: staff roles, staff accounts, and (for a few) citizens' accounts.

Every permission comes from bawaba.accounts.staff.selectors, never from Django's per-model permissions:
- roles: national admins manage all of them; department admins manage the department-level roles
  (not department admin) of their departments; nobody touches their own. Granting and revoking go
  through the staff services, which check the same rules again and keep the history;
- staff accounts: listed for those who manage roles, created by them with a one-time password shown
  once; only national admins change one (name, active) or reset its password and second factor;
- citizens' accounts: seen only by national admins and operators, never changed here, never listed
  with their names or numbers, found only by a whole number, and every view of one is written to
  the citizen's "who viewed my data" log first.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bawaba.accounts.constants import NATIONAL_ROLES, StaffRoleKind
from bawaba.accounts.models import StaffRole, User
from bawaba.accounts.personal_data import personal_data_access_record
from bawaba.accounts.staff import selectors
from bawaba.accounts.staff.services import (
    staff_credentials_reset,
    staff_role_grant,
    staff_role_revoke,
    staff_user_create,
    username_clean,
)
from bawaba.catalog.models import Department
from bawaba.core.errors import ApplicationError, ValidationFailed
from bawaba.notifications.recipients import normalise_phone

# Staff roles


class StaffRoleForm(forms.ModelForm):
    """Choices limited to what the signed-in person may grant; the service checks everything again."""

    class Meta:
        model = StaffRole
        fields = ("user", "role", "department")

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        granter = request.user
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        user_field.queryset = (
            User.objects.filter(is_staff=True, is_active=True, deleted_at__isnull=True)
            .exclude(pk=granter.pk or 0)
            .order_by("username")
        )
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)  # noqa: S101
        grantable = set(selectors.grantable_roles_for(granter))
        role_field.choices = [("", "---------")] + [
            (value, label) for value, label in StaffRoleKind.choices if value in grantable
        ]
        department_field = self.fields["department"]
        assert isinstance(department_field, forms.ModelChoiceField)  # noqa: S101
        ids = selectors.role_department_ids_managed_by(granter)
        departments = Department.objects.all()
        department_field.queryset = departments if ids is None else departments.filter(pk__in=ids)
        department_field.help_text = _("Leave empty for operator and national administrator, which hold everywhere.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user, role, department = cleaned.get("user"), cleaned.get("role"), cleaned.get("department")
        if user is None or not role:
            return cleaned
        if role in NATIONAL_ROLES and department is not None:
            self.add_error("department", _("This role holds in every department: leave the department empty."))
        elif role not in NATIONAL_ROLES and department is None:
            self.add_error("department", _("Choose the department where this role holds."))
        elif not selectors.may_change_role(self.request.user, holder=user, role=role, department=department):
            raise forms.ValidationError(_("You may not give this role in this department."))
        elif StaffRole.objects.filter(user=user, role=role, department=department).exists():
            self.add_error("role", _("This person already has this role there."))
        return cleaned

    def validate_unique(self) -> None:
        # Checked in clean() in plain words; the model's conditional constraints would name database details.
        return None

    def validate_constraints(self) -> None:
        return None


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "department", "granted_by", "granted_at")
    list_filter = ("role", ("department", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__full_name")
    list_select_related = ("user", "department", "granted_by")
    readonly_fields = ("user", "role", "department", "granted_by", "granted_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffRole]:
        return selectors.staff_roles_visible_to(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return selectors.may_manage_roles(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not selectors.may_manage_roles(request.user):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return selectors.may_manage_roles(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a role is granted or revoked, never edited into another

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return selectors.may_manage_roles(request.user)
        return selectors.may_change_role(request.user, holder=obj.user, role=obj.role, department=obj.department_id)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        base = super().get_form(request, obj, change=change, form=StaffRoleForm, **kwargs)

        class RequestStaffRoleForm(base):  # type: ignore[valid-type, misc]
            def __init__(self, *args: Any, **form_kwargs: Any) -> None:
                super().__init__(*args, request=request, **form_kwargs)

        return RequestStaffRoleForm

    def save_model(self, request: HttpRequest, obj: StaffRole, form: Any, change: bool) -> None:
        granter = request.user
        assert isinstance(granter, User)  # noqa: S101 - the admin lets only staff in
        granted = staff_role_grant(
            granted_by=granter,
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
            department=form.cleaned_data.get("department"),
            request=request,
        )
        obj.pk, obj.granted_by, obj.granted_at = granted.pk, granted.granted_by, granted.granted_at

    def delete_model(self, request: HttpRequest, obj: StaffRole) -> None:
        revoker = request.user
        assert isinstance(revoker, User)  # noqa: S101
        staff_role_revoke(revoked_by=revoker, staff_role=obj, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[StaffRole]) -> None:
        revoker = request.user
        assert isinstance(revoker, User)  # noqa: S101
        with transaction.atomic():  # all of them or none: one refusal leaves every role in place
            for staff_role in queryset.select_related("user", "department"):
                staff_role_revoke(revoked_by=revoker, staff_role=staff_role, request=request)


# Accounts


class StaffRoleInline(admin.TabularInline):
    """The roles a staff member holds, read-only here: they are granted and revoked under Staff roles."""

    model = StaffRole
    fk_name = "user"
    fields = ("role", "department", "granted_by", "granted_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("roles")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and bool(obj.is_staff)


class StaffUserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=40,
        help_text=_("Lower-case letters, digits and dots, for example sara.ahmed. They sign in with it."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)

    def clean_username(self) -> str:
        try:
            return username_clean(self.cleaned_data["username"])
        except ValidationFailed as error:
            raise forms.ValidationError(error.fields.get("username") or [str(error.message)]) from None


class AccountKindFilter(admin.SimpleListFilter):
    title = _("kind of account")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        if selectors.may_see_citizens(request.user):
            return [("staff", _("Staff")), ("citizen", _("Citizens"))]
        return [("staff", _("Staff"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "staff":
            return queryset.filter(is_staff=True)
        if self.value() == "citizen":
            return queryset.filter(is_staff=False)
        return queryset


CITIZEN_FIELDS = (
    "username",
    "full_name",
    "phone",
    "phone_verified_at",
    "preferred_language",
    "is_active",
    "date_joined",
    "last_login",
    "deleted_at",
)
STAFF_FIELDS = ("username", "full_name", "is_active", "is_staff", "is_superuser", "date_joined", "last_login")
STAFF_EDITABLE_FIELDS = ("full_name", "is_active")


@admin.register(User)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("username", "staff_name", "is_staff", "is_active", "date_joined")
    list_filter = (AccountKindFilter, "is_active")
    search_fields = ("username",)
    ordering = ("-is_staff", "username")
    actions = ["reset_credentials"]
    show_full_result_count = False

    @admin.display(description=_("name"))
    def staff_name(self, obj: User) -> str:
        # Citizens' names stay out of lists: each one is seen on its own page, and that view is logged.
        return obj.full_name if obj.is_staff else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return selectors.staff_users_visible_to(request.user)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        """Staff by part of their username or name; a citizen only by their whole number or username."""
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            phone = normalise_phone(term).address
        except ValidationFailed:
            phone = None
        staff = queryset.filter(is_staff=True)
        found = staff.filter(username__icontains=term) | staff.filter(full_name__icontains=term)
        found |= queryset.filter(username=term)
        if phone is not None:
            found |= queryset.filter(phone=phone)
        return found.distinct(), False

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return [StaffRoleInline] if obj is not None and obj.is_staff else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return CITIZEN_FIELDS if obj is not None and not obj.is_staff else STAFF_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = self.get_fields(request, obj)
        if obj is not None and obj.is_staff and self.has_change_permission(request, obj):
            return tuple(name for name in fields if name not in STAFF_EDITABLE_FIELDS)
        return fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return selectors.may_see_citizens(request.user) or selectors.may_manage_roles(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        if not obj.is_staff:
            return selectors.may_see_citizens(request.user)
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return selectors.may_manage_roles(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not selectors.has_role(request.user, StaffRoleKind.NATIONAL_ADMIN):
            return False
        # Citizens' accounts are theirs: nobody edits them here. Nobody edits their own account here either.
        return obj is None or (bool(obj.is_staff) and obj.pk != request.user.pk)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are deactivated here; deletion is the citizen's, through "My data"

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not selectors.has_role(request.user, StaffRoleKind.NATIONAL_ADMIN):
            actions.pop("reset_credentials", None)
        return actions

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is not None and not obj.is_staff and request.method in ("GET", "HEAD"):
            if self.has_view_permission(request, obj):
                _citizen_view_record(request, obj, what=gettext("Account details in the back office"))
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None) -> Any:
        obj = self.get_object(request, object_id)
        if obj is not None and not obj.is_staff and self.has_view_permission(request, obj):
            _citizen_view_record(request, obj, what=gettext("Account change history in the back office"))
        return super().history_view(request, object_id, extra_context)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/reset-credentials/",
                self.admin_site.admin_view(self.reset_credentials_view),
                name="accounts_user_reset_credentials",
            ),
            *super().get_urls(),
        ]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A staff account: username and name; the one-time password is shown on the next page, once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        creator = request.user
        assert isinstance(creator, User)  # noqa: S101
        form = StaffUserCreateForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                user, password = staff_user_create(
                    created_by=creator,
                    username=form.cleaned_data["username"],
                    full_name=form.cleaned_data["full_name"],
                    request=request,
                )
            except ValidationFailed as error:
                for field, field_messages in error.fields.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                self.log_addition(request, user, [{"added": {}}])
                return self._password_page(request, user=user, password=password, created=True)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Add a staff account"),
            "form": form,
        }
        return TemplateResponse(
            request, "admin/accounts/user/staff_add.html", context, status=400 if form.is_bound else 200
        )

    def _password_page(self, request: HttpRequest, *, user: User, password: str, created: bool) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Staff account created") if created else gettext("Password and second factor reset"),
            "account": user,
            "password": password,
            "created": created,
            "sign_in_url": request.build_absolute_uri(reverse("accounts:staff_sign_in")),
        }
        response = TemplateResponse(request, "admin/accounts/user/staff_password.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def reset_credentials_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Lost phone and recovery codes: a new one-time password, the second factor removed, sessions ended."""
        obj = self.get_object(request, object_id)
        if obj is None or not obj.is_staff or not self.has_change_permission(request, obj):
            raise PermissionDenied
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Reset password and second factor"),
                "account": obj,
            }
            return TemplateResponse(request, "admin/accounts/user/staff_reset.html", context)
        resetter = request.user
        assert isinstance(resetter, User)  # noqa: S101
        try:
            password = staff_credentials_reset(reset_by=resetter, user=obj, request=request)
        except ApplicationError as error:
            messages.error(request, str(error.message))
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[obj.pk]))
        return self._password_page(request, user=obj, password=password, created=False)

    @admin.action(description=_("Reset password and second factor"))
    def reset_credentials(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            messages.error(request, gettext("Choose one staff account at a time."))
            return None
        return HttpResponseRedirect(reverse("admin:accounts_user_reset_credentials", args=[chosen[0].pk]))


def _viewer_role(user: User) -> str:
    """The role that lets `user` see citizens, named in the citizen's log ("why")."""
    held = set(selectors.roles_of(user).values_list("role", flat=True))
    for role in (StaffRoleKind.NATIONAL_ADMIN, StaffRoleKind.OPERATOR):
        if role in held:
            return str(role.label)
    return gettext("superuser")


def _citizen_view_record(request: HttpRequest, citizen: User, *, what: str) -> None:
    """Written before anything is shown, so no view of a citizen's account goes unrecorded."""
    viewer = request.user
    assert isinstance(viewer, User)  # noqa: S101 - the admin lets only staff in
    personal_data_access_record(
        staff=viewer,
        citizen=citizen,
        reason=gettext("Account administration (%(role)s)") % {"role": _viewer_role(viewer)},
        what=what,
    )
