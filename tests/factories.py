"""factory-boy factories for catalogue records."""

import factory

from bawaba.catalog.constants import DepartmentKind
from bawaba.catalog.models import Category, Department, Governorate, Office, Service
from bawaba.catalog.search import search_index_update


class GovernorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Governorate
        django_get_or_create = ("iso_code",)

    iso_code = "IQ-BG"
    name_ar = "بغداد"
    name_ckb = "بەغدا"
    name_en = "Baghdad"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    slug = factory.Sequence(lambda n: f"department-{n}")
    kind = DepartmentKind.MINISTRY
    name_ar = factory.Sequence(lambda n: f"وزارة {n}")
    name_en = factory.Sequence(lambda n: f"Ministry {n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    code = factory.Sequence(lambda n: f"office-{n}")
    department = factory.SubFactory(DepartmentFactory)
    governorate = factory.SubFactory(GovernorateFactory)
    name_ar = factory.Sequence(lambda n: f"مكتب {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"category-{n}")
    name_ar = factory.Sequence(lambda n: f"فئة {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"service-{n}")
    department = factory.SubFactory(DepartmentFactory)
    name_ar = factory.Sequence(lambda n: f"خدمة {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    summary_ar = "ملخص الخدمة"
    summary_en = "What the service is for."

    @factory.post_generation
    def search_index(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy passes the instance
        """Indexed for search once saved, as the importer and the admin do for real services."""
        if create:
            search_index_update(service_ids=[obj.pk])


def with_staff_second_factor(user):
    """Give `user` a confirmed authenticator and mark them as the staff sign-in does, so that
    `client.force_login(user)` opens a staff session the admin accepts (bawaba.core.admin_site).

    Without this, force_login opens a session that passed no second factor, which the admin refuses.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bawaba.core.admin_site import STAFF_SIGN_IN_ATTRIBUTE

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )
    user.otp_device = device
    setattr(user, STAFF_SIGN_IN_ATTRIBUTE, True)
    return user


def make_staff_member(username, *, roles=(), superuser=False, verified=True, full_name=""):
    """A staff account holding `roles`: (role, department or None) pairs. No password: tests use
    force_login (hashing one costs a quarter of a second). `verified` attaches a second factor."""
    from bawaba.accounts.models import StaffRole, User

    user = User.objects.create_user(
        username=username, password=None, is_staff=True, is_superuser=superuser, full_name=full_name
    )
    for role, department in roles:
        StaffRole.objects.create(user=user, role=role, department=department)
    return with_staff_second_factor(user) if verified else user
