"""Editing a guide in the admin: parts in position order, media on the service's own steps, links an
editor cannot see are kept, the search index is told, and the language fieldsets read right.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from bawaba.catalog.models import ServiceMedia, ServiceStep
from tests.catalog.test_admin_helpers import admin_url, make_staff, service_form
from tests.factories import DepartmentFactory, OfficeFactory, ServiceFactory


@pytest.fixture
def editor(department):
    return make_staff("editor.interior", departments=(department,))


@pytest.fixture
def operator(db):
    return make_staff("operator", superuser=True)


@pytest.fixture
def index_updates(monkeypatch):
    calls: list[list[int]] = []
    monkeypatch.setattr(
        "bawaba.catalog.admin.services.search_index_update", lambda *, service_ids: calls.append(list(service_ids))
    )
    monkeypatch.setattr(
        "bawaba.catalog.admin.vocabularies.search_index_update", lambda *, service_ids: calls.append(list(service_ids))
    )
    return calls


def _steps(service, *titles):
    for position, title in enumerate(titles, start=1):
        ServiceStep.objects.create(service=service, position=position, location="office", title_ar=title)


def _post(client, service, **changes):
    return client.post(admin_url("catalog_service_change", service.pk), service_form(service, **changes))


def _titles(service):
    return list(service.steps.order_by("position").values_list("position", "title_ar"))


def test_swapping_two_steps(client, editor, service):
    _steps(service, "أولا", "ثانيا", "ثالثا")
    client.force_login(editor)
    response = _post(client, service, **{"steps-0-position": 2, "steps-1-position": 1})
    assert response.status_code == 302
    assert _titles(service) == [(1, "ثانيا"), (2, "أولا"), (3, "ثالثا")]


def test_steps_are_renumbered_after_a_deletion(client, editor, service):
    _steps(service, "أولا", "ثانيا", "ثالثا")
    client.force_login(editor)
    response = _post(client, service, **{"steps-1-DELETE": "on", "steps-2-position": 9})
    assert response.status_code == 302
    assert _titles(service) == [(1, "أولا"), (2, "ثالثا")]


def test_two_steps_in_the_same_position_are_refused(client, editor, service):
    _steps(service, "أولا", "ثانيا")
    client.force_login(editor)
    response = _post(client, service, **{"steps-1-position": 1, "steps-1-title_ar": "مغير"})
    assert response.status_code == 200
    assert _titles(service) == [(1, "أولا"), (2, "ثانيا")]


def test_media_can_only_hang_on_the_services_own_steps(client, editor, service, department):
    _steps(service, "أولا")
    other = ServiceFactory(department=department)
    _steps(other, "خطوة خدمة أخرى")
    client.force_login(editor)
    response = client.get(admin_url("catalog_service_change", service.pk))
    media_formset = next(f for f in response.context["inline_admin_formsets"] if f.opts.model is ServiceMedia)
    choices = list(media_formset.formset.empty_form.fields["step"].queryset)
    assert choices == list(service.steps.all())
    response = _post(
        client,
        service,
        **{
            "media-TOTAL_FORMS": 1,
            "media-0-position": 1,
            "media-0-kind": "video",
            "media-0-video_url": "https://video.example.iq/passport",
            "media-0-alt_ar": "فيديو",
            "media-0-step": other.steps.get().pk,
        },
    )
    assert response.status_code == 200
    assert not ServiceMedia.objects.exists()


def test_an_uploaded_picture_is_processed_for_phones(client, editor, service, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (200, 30, 30)).save(buffer, format="PNG")
    client.force_login(editor)
    data = service_form(
        service,
        **{
            "media-TOTAL_FORMS": 1,
            "media-0-position": 1,
            "media-0-kind": "image",
            "media-0-alt_ar": "صورة الاستمارة",
            "media-0-image": SimpleUploadedFile("form.png", buffer.getvalue(), content_type="image/png"),
        },
    )
    response = client.post(admin_url("catalog_service_change", service.pk), data)
    assert response.status_code == 302
    media = ServiceMedia.objects.get()
    assert media.image.name.endswith("-1280w.webp")
    assert (media.width, media.height) == (1280, 720)


def test_captions_must_be_webvtt(client, editor, service):
    client.force_login(editor)
    data = service_form(
        service,
        **{
            "media-TOTAL_FORMS": 1,
            "media-0-position": 1,
            "media-0-kind": "video",
            "media-0-video_url": "https://video.example.iq/passport",
            "media-0-alt_ar": "فيديو",
            "media-0-captions_ar": SimpleUploadedFile("captions.srt", b"1\n00:00:01,000 --> 00:00:02,000\nhello\n"),
        },
    )
    response = client.post(admin_url("catalog_service_change", service.pk), data)
    assert response.status_code == 200
    assert not ServiceMedia.objects.exists()


def test_links_the_editor_cannot_see_are_kept(client, editor, service, department):
    # An operator linked a citizen service centre run by another body, and an unpublished draft.
    centre = OfficeFactory(department=DepartmentFactory(slug="governorate-office"))
    draft = ServiceFactory(department=DepartmentFactory(), is_published=False)
    own = OfficeFactory(department=department)
    service.offices.set([centre])
    service.related_services.set([draft])
    client.force_login(editor)
    response = _post(client, service, offices=[own.pk], related_services=[])
    assert response.status_code == 302
    assert set(service.offices.all()) == {centre, own}
    assert list(service.related_services.all()) == [draft]


def test_the_search_index_is_told_about_saves_and_deletions(client, editor, operator, service, index_updates):
    client.force_login(editor)
    assert _post(client, service, summary_ar="ملخص").status_code == 302
    client.post(admin_url("catalog_service_delete", service.pk), {"post": "yes"})
    client.force_login(operator)
    client.post(admin_url("catalog_searchsynonym_add"), {"term": "باسبورت", "expansion": "جواز سفر"})
    assert index_updates == [[service.pk], [service.pk], []]


def test_editors_do_not_change_ranking_or_addresses(client, editor, service):
    service.popularity = 5
    service.save()
    client.force_login(editor)
    response = _post(client, service, popularity=1000, slug="renamed", is_demo="on")
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.popularity, service.slug, service.is_demo) == (5, "passport-renewal", False)


def test_the_form_groups_texts_by_language_and_sets_direction(client, editor, service):
    client.force_login(editor)
    with translation.override("en"):
        response = client.get(admin_url("catalog_service_change", service.pk))
        adminform = response.context["adminform"]
        fieldsets = {str(fieldset.name): list(fieldset.fields) for fieldset in adminform if fieldset.name}
    assert fieldsets["Arabic"] == ["name_ar", "summary_ar", "eligibility_ar", "legal_basis_ar", "fee_note_ar"]
    assert fieldsets["Kurdish (Sorani)"][0] == "name_ckb"
    assert fieldsets["English"][0] == "name_en"
    fields = adminform.form.fields
    assert (fields["summary_ckb"].widget.attrs["lang"], fields["summary_ckb"].widget.attrs["dir"]) == ("ckb", "rtl")
    assert (fields["name_en"].widget.attrs["lang"], fields["name_en"].widget.attrs["dir"]) == ("en", "ltr")
