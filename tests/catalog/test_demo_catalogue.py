"""The demo catalogue is complete enough to be the portal a new user tries: checked on the real files."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from bawaba.catalog.constants import StepLocation
from bawaba.catalog.models import Department, LifeEvent, Office, Service, ServiceStep

# What the UN E-Government Survey checks, and the Ur Portal's best-known services.
REQUIRED_SERVICES = {
    "national-id-card", "passport-issue", "passport-renewal", "driving-licence-first", "vehicle-registration",
    "birth-certificate", "marriage-contract-registration", "death-certificate", "company-registration",
    "building-permit", "land-registration", "social-protection-benefit", "public-job-application",
    "ration-card-add-member", "ration-card-update", "civil-status-transfer", "certificate-equivalency",
    "pension-application", "firearm-registration", "traffic-fines", "hajj-registration", "electricity-bill-payment",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the read-only checks in this module (loading takes seconds), then remove it."""
    with django_db_blocker.unblock():
        call_command("load_demo", force=True, verbosity=0)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo_loaded(db):
    call_command("load_demo", force=True, verbosity=0)


@pytest.mark.django_db
def test_demo_catalogue_is_large_and_covers_the_checked_services(demo):
    services = Service.objects.filter(is_published=True)
    assert services.count() >= 150
    departments_with_services = Department.objects.annotate(n=Count("services")).filter(n__gt=0)
    assert departments_with_services.count() >= 25
    missing = REQUIRED_SERVICES - set(services.values_list("slug", flat=True))
    assert missing == set()
    assert Department.objects.filter(kind="ministry").count() == 23


@pytest.mark.django_db
def test_every_service_is_a_complete_guide_in_three_languages(demo):
    problems = []
    for service in Service.objects.prefetch_related("steps", "documents"):
        for field in ("name", "summary", "eligibility"):
            for language in ("ar", "ckb", "en"):
                if not getattr(service, f"{field}_{language}").strip():
                    problems.append(f"{service.slug}: {field}_{language} is empty")
        if not service.is_demo:
            problems.append(f"{service.slug}: not marked as demo content")
        if len(service.steps.all()) < 2:
            problems.append(f"{service.slug}: fewer than 2 steps")
        for step in service.steps.all():
            if not (step.title_ar and step.title_ckb and step.title_en):
                problems.append(f"{service.slug}: step {step.position} title missing a language")
    assert problems == []


@pytest.mark.django_db
def test_steps_on_another_site_link_to_it(demo):
    assert not ServiceStep.objects.filter(location=StepLocation.MINISTRY_SITE, url="").exists()


@pytest.mark.django_db
def test_offices_and_life_events_are_filled_in(demo):
    assert Office.objects.count() >= 50
    assert not Office.objects.filter(address_ckb="").exists()
    assert not LifeEvent.objects.filter(description_en="").exists()
    assert all(event.services.exists() for event in LifeEvent.objects.all())


@pytest.mark.django_db
def test_loading_twice_keeps_one_copy_of_everything(demo_loaded):
    counts = (Service.objects.count(), Department.objects.count(), Office.objects.count(), ServiceStep.objects.count())
    call_command("load_demo", force=True, verbosity=0)
    assert (
        Service.objects.count(),
        Department.objects.count(),
        Office.objects.count(),
        ServiceStep.objects.count(),
    ) == counts


@pytest.mark.django_db
def test_load_demo_keeps_existing_data_without_force(demo_loaded):
    Service.objects.filter(slug="passport-renewal").update(name_en="Edited by an operator")
    call_command("load_demo", verbosity=0)
    assert Service.objects.get(slug="passport-renewal").name_en == "Edited by an operator"
