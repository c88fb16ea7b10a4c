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
