"""The JSON catalogue: export → import into an empty database → export gives the same bytes, and the
importer refuses, with a location and a reason, everything a careless or hostile file may contain.
"""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from bawaba.catalog.models import Department, Office, Service, ServiceFee, ServiceMedia, ServiceStep
from bawaba.catalog.transfer.errors import CatalogueImportFailed
from bawaba.catalog.transfer.format import MAX_DOCUMENT_BYTES, MAX_PROBLEMS
from bawaba.catalog.transfer.json_export import catalogue_export_json
from bawaba.catalog.transfer.json_import import catalogue_import, document_from_json
from tests.catalog.test_admin_helpers import admin_url, make_staff
from tests.catalog.test_transfer_helpers import catalogue_document, counts, empty_the_catalogue, write_source_media
from tests.factories import DepartmentFactory, GovernorateFactory, ServiceFactory


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def imported(db, media_root, tmp_path):
    """The sample catalogue, imported with its picture (which media processing turns into WebP)."""
    catalogue_import(document=catalogue_document(), media_root=write_source_media(tmp_path / "source"))


def _problems(document, **kwargs):
    with pytest.raises(CatalogueImportFailed) as failure, translation.override("en"):
        catalogue_import(document=document, **kwargs)
    return [(problem.location, problem.message) for problem in failure.value.problems]


def test_export_import_export_gives_the_same_file(imported, media_root):
    first = catalogue_export_json()
    empty_the_catalogue()
    assert set(counts().values()) == {0}
    catalogue_import(document=json.loads(first), media_root=media_root)
    assert catalogue_export_json() == first


def test_round_trip_of_a_catalogue_edited_by_hand(db, media_root):
    # Positions with gaps and a step-less picture, as the admin can leave them.
    department = DepartmentFactory(slug="health", name_ar="وزارة الصحة", governorate=GovernorateFactory())
    service = ServiceFactory(slug="vaccination-card", department=department, channels=["office"])
    ServiceStep.objects.create(service=service, position=4, location="office", title_ar="راجع المركز")
    ServiceStep.objects.create(service=service, position=2, location="bawaba", title_ar="احجز")
    ServiceFee.objects.create(service=service, position=7, label_ar="البطاقة", amount_iqd=0)
    ServiceMedia.objects.create(service=service, kind="video", video_url="https://v.example.iq/a", alt_ar="فيديو")
    first = catalogue_export_json()
    empty_the_catalogue()
    catalogue_import(document=json.loads(first), media_root=media_root)
    assert catalogue_export_json() == first
    assert list(Service.objects.get().steps.values_list("position", "title_ar")) == [(1, "احجز"), (2, "راجع المركز")]


def test_the_export_is_the_documented_format(imported):
    document = json.loads(catalogue_export_json())
    assert (document["format"], document["version"]) == ("bawaba-catalogue", 1)
    service = next(s for s in document["services"] if s["slug"] == "passport-renewal")
    assert service["name"] == {"ar": "تجديد جواز السفر", "ckb": "نوێکردنەوەی پاسپۆرت", "en": "Renew a passport"}
    assert service["fees"] == [
        {"label": {"ar": "جواز 32 صفحة", "ckb": "", "en": ""}, "amount_iqd": 25000},
        {"label": {"ar": "جواز 48 صفحة", "ckb": "", "en": ""}, "amount_iqd": 50000},
    ]
    picture, video = service["media"]
    assert picture["step"] == 2
    # Named by the server ("image"), not after the file in the document ("photo-rules.png").
    assert re.fullmatch(r"services/passport-renewal/image\.[0-9a-f]{12}-800w\.webp", picture["image"])
    assert video["video_url"] == "https://video.example.iq/renewal"
    interior = next(d for d in document["departments"] if d["slug"] == "interior")
    assert interior["offices"][0]["latitude"] == 33.312806
    assert next(d for d in document["departments"] if d["slug"] == "passports-directorate")["parent"] == "interior"


def test_a_file_from_another_server_brings_its_pictures(imported, media_root, tmp_path, settings):
    exported = json.loads(catalogue_export_json())
    other_server = tmp_path / "other-server-media"
    settings.MEDIA_ROOT = other_server
    other_server.mkdir()
    empty_the_catalogue()
    catalogue_import(document=exported, media_root=media_root)
    media = ServiceMedia.objects.get(kind="image")
    stored = sorted(path.name for path in (other_server / "services" / "passport-renewal").iterdir())
    # The picture and its narrower copies for phones, under the same names.
    assert media.image.name.rsplit("/", 1)[1] in stored
    assert [name.rsplit("-", 1)[1] for name in stored] == ["320w.webp", "480w.webp", "720w.webp", "800w.webp"]


# All or nothing.


def test_one_bad_service_among_good_ones_changes_nothing(db):
    document = catalogue_document()
    del document["services"][0]["media"]
    document["services"].append({"slug": "bad", "department": "interior", "name": {"ar": "x"}})  # no summary
    problems = _problems(document)
    assert problems == [("services[2].summary_ar", "This field cannot be blank.")]
    assert set(counts().values()) == {0}


def test_a_step_that_failed_validation_is_not_saved(db):
    document = catalogue_document()
    del document["services"][0]["media"]
    document["services"][0]["steps"][1]["location"] = "the moon"
    document["services"][0]["steps"][1]["title"] = {"ar": "x" * 300}
    problems = _problems(document)
    assert ("services[0].steps[1].location", "Value 'the moon' is not a valid choice.") in problems
    assert ("services[0].steps[1].title_ar", "Ensure this value has at most 250 characters (it has 300).") in problems
    assert ServiceStep.objects.count() == 0


def test_dry_run_counts_and_writes_nothing(db, tmp_path):
    report = catalogue_import(document=catalogue_document(), media_root=write_source_media(tmp_path), dry_run=True)
    assert report.created == {
        "categories": 1,
        "departments": 2,
        "governorates": 2,
        "life_events": 1,
        "offices": 1,
        "services": 2,
        "synonyms": 1,
    }
    assert report.service_ids == []
    assert set(counts().values()) == {0}


def test_importing_twice_updates_rather_than_duplicates(imported, tmp_path):
    report = catalogue_import(document=catalogue_document(), media_root=write_source_media(tmp_path / "again"))
    assert report.created == {}
    assert report.updated["services"] == 2
    assert counts() == {
        "Governorate": 2,
        "Category": 1,
        "LifeEvent": 1,
        "Department": 2,
        "Office": 1,
        "Service": 2,
        "SearchSynonym": 1,
    }


# Wrong types: each is a problem at its place, never a crash and never a silent guess.


@pytest.mark.parametrize(
    ("path", "value", "location", "message"),
    [
        (("services", 1, "is_published"), "false", "services[1].is_published", "must be true or false"),
        (("services", 0, "fees", 0, "amount_iqd"), True, "services[0].fees[0].amount_iqd", "must be a whole number"),
        (("services", 0, "fees", 0, "amount_iqd"), 2.5, "services[0].fees[0].amount_iqd", "must be a whole number"),
        (("services", 0, "channels"), [{"x": 1}], "services[0].channels", "must be a list of: online"),
        (("services", 1, "slug"), ["a"], "services[1].slug", "is required and must be text"),
        (("services", 1, "department"), ["interior"], "services[1].department", "unknown department"),
        (("services", 0, "duration_min_days"), "3", "services[0].duration_min_days", "must be a whole number"),
        (("services", 0, "media", 0, "captions"), "subs.vtt", "services[0].media[0].captions", "must be an object"),
        (("services", 0, "media", 0, "step"), True, "services[0].media[0].step", "must be a step number"),
        (("services", 0, "summary"), ["text"], "services[0].summary", "must be an object with ar, ckb and en"),
        (("services", 0, "name", "en"), 5, "services[0].name.en", "must be text"),
        (("services", 0, "name", "fr"), "Renouveler", "services[0].name", "unknown language(s): fr"),
        (("services", 0, "summary", "ar"), "a\x00b", "services[0].summary.ar", "must not contain NUL"),
        (("services", 0, "last_reviewed_on"), 20261001, "services[0].last_reviewed_on", "must be a date"),
        (("services", 0, "sumary"), {"ar": "typo"}, "services[0]", "unknown field(s): 'sumary'"),
        (("services", 0, "steps"), {"location": "office"}, "services[0].steps", "must be a list"),
        (("departments", 0, "offices", 0, "latitude"), "north", "departments[0].offices[0].latitude", "must be a"),
        (("departments", 0, "offices"), "karrada", "departments[0].offices", "must be a list"),
        (("departments", 1, "parent"), 7, "departments[1].parent", "must be text"),
        (("governorates", 0, "is_kurdistan_region"), 0, "governorates[0].is_kurdistan_region", "must be true or"),
        (("categories", 0, "ordering"), -1, "categories[0].ordering", "must be a whole number"),
        (("synonyms", 0, "term"), 12, "synonyms[0].term", "is required and must be text"),
    ],
)
def test_wrong_types_are_reported(db, tmp_path, path, value, location, message):
    document = catalogue_document()
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    problems = _problems(document, media_root=write_source_media(tmp_path))
    assert any(where == location and message in text for where, text in problems), problems
    assert set(counts().values()) == {0}


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "..\\..\\secret", "sub/../../outside.png"])
def test_media_paths_stay_inside_the_media_folder(db, tmp_path, path):
    (tmp_path / "outside.png").write_bytes(b"secret")
    document = catalogue_document()
    document["services"][0]["media"][0]["image"] = path
    problems = _problems(document, media_root=write_source_media(tmp_path / "media" / "sub"))
    assert [where for where, _ in problems] == ["services[0].media[0].image"]
    assert ServiceMedia.objects.count() == 0


def test_a_symlink_out_of_the_media_folder_is_refused(db, tmp_path):
    (tmp_path / "secret.png").write_bytes(b"secret")
    folder = write_source_media(tmp_path / "media")
    (folder / "link.png").symlink_to(tmp_path / "secret.png")
    document = catalogue_document()
    document["services"][0]["media"][0]["image"] = "link.png"
    assert _problems(document, media_root=folder) == [("services[0].media[0].image", "file 'link.png' not found")]


def test_duplicates_and_loops(db):
    document = catalogue_document()
    document["departments"][0]["parent"] = "passports-directorate"
    document["departments"].append(dict(document["departments"][1]))
    document["services"] = []
    problems = _problems(document)
    assert ("departments[2].slug", "'passports-directorate' appears twice") in problems
    assert ("departments[0].parent", "makes departments part of each other in a loop") in problems


def test_only_so_many_problems_are_listed(db):
    document = catalogue_document()
    document["services"] = [{"slug": f"s{i}"} for i in range(MAX_PROBLEMS + 20)]
    problems = _problems(document)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == ("$", "20 more problems not shown; fix these first")


# The file itself.


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"format": "bawaba-catalogue", "version": 1, "services": [', ("line 1, column 59", "not valid JSON")),
        (b'{"format": "x", "format": "y"}', ("$", "the key 'format' appears twice in one object")),
        (b'{"latitude": NaN}', ("$", "NaN is not a number JSON allows")),
        (b"[" * 100_000 + b"]" * 100_000, ("$", "the document is nested too deeply")),
        ("{}".encode("utf-16"), ("byte 0", "the file is not UTF-8 text")),
        (b" " * (MAX_DOCUMENT_BYTES + 1), ("$", "the file is larger than 50 MB")),
    ],
)
def test_files_that_are_not_catalogues(data, expected):
    with pytest.raises(CatalogueImportFailed) as failure, translation.override("en"):
        document_from_json(data)
    problem = failure.value.problems[0]
    assert problem.location == expected[0]
    assert problem.message.startswith(expected[1])


def test_the_envelope(db):
    assert _problems([]) == [("$", "the document must be a JSON object")]
    assert _problems({"format": "bawaba-catalogue", "version": 2}) == [
        ("$", 'expected "format": "bawaba-catalogue" and "version": 1')
    ]
    assert _problems({"format": "bawaba-catalogue", "version": 1, "service": []}) == [
        ("$", "unknown field(s): 'service'")
    ]


# The commands.


def test_import_and_export_commands(db, tmp_path, media_root, capsys):
    source = tmp_path / "catalogue.json"
    document = catalogue_document()
    write_source_media(media_root)
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    call_command("import_catalogue", str(source), "--dry-run")
    assert "Checked, nothing changed" in capsys.readouterr().out
    assert Service.objects.count() == 0
    call_command("import_catalogue", str(source))
    assert "Catalogue imported: categories: 1 new, 0 updated" in capsys.readouterr().out
    assert Service.objects.count() == 2

    output = tmp_path / "export.json"
    call_command("export_catalogue", "--format", "json", "--output", str(output))
    assert output.read_bytes() == catalogue_export_json()
    call_command("export_catalogue", "--format", "json")
    assert capsys.readouterr().out.encode() == catalogue_export_json()


def test_import_command_prints_every_problem_and_changes_nothing(db, tmp_path, capsys):
    source = tmp_path / "broken.json"
    document = catalogue_document()
    document["services"][0]["department"] = "nowhere"
    document["services"][1]["is_published"] = "no"
    source.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_catalogue", str(source))
    errors = capsys.readouterr().err
    assert "services[0].department: unknown department 'nowhere'" in errors
    assert "services[1].is_published: must be true or false" in errors
    assert Department.objects.count() == Office.objects.count() == 0


def test_import_command_output_is_in_the_language_asked_for(db, tmp_path, capsys):
    # Whatever language the process happens to have active (an earlier request, LANGUAGE_CODE).
    source = tmp_path / "broken.json"
    document = catalogue_document()
    document["services"][0]["department"] = "nowhere"
    source.write_text(json.dumps(document), encoding="utf-8")
    with translation.override("ar"), pytest.raises(CommandError):
        call_command("import_catalogue", str(source))
    assert "services[0].department: unknown department 'nowhere'" in capsys.readouterr().err
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_catalogue", str(source), "--language", "ar")
    assert "services[0].department: جهة غير معروفة 'nowhere'" in capsys.readouterr().err


# Values the database would refuse are reported, never written (an IntegrityError is a 500 in the admin).


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("IQ-ZZ", "unknown governorate 'IQ-ZZ'"),
        (1, "must be an ISO 3166-2 code such as IQ-BG"),
        (True, "must be an ISO 3166-2 code such as IQ-BG"),
        (["IQ-BG"], "must be an ISO 3166-2 code such as IQ-BG"),
    ],
)
def test_an_office_in_an_unknown_governorate_is_reported(db, tmp_path, code, message):
    document = catalogue_document()
    document["departments"][0]["offices"][0]["governorate"] = code
    problems = _problems(document, media_root=write_source_media(tmp_path))
    # One problem: the services that list the office are not also told it does not exist.
    assert problems == [("departments[0].offices[0].governorate", message)]
    assert set(counts().values()) == {0}


def test_an_existing_office_keeps_its_governorate_when_the_file_names_an_unknown_one(imported, tmp_path):
    before = list(Office.objects.values_list("code", "governorate__iso_code", "updated_at"))
    document = catalogue_document()
    document["departments"][0]["offices"][0]["governorate"] = "IQ-ZZ"
    document["departments"][0]["offices"][0]["name"] = {"ar": "اسم جديد"}
    problems = _problems(document, media_root=write_source_media(tmp_path / "again"))
    assert problems == [("departments[0].offices[0].governorate", "unknown governorate 'IQ-ZZ'")]
    assert list(Office.objects.values_list("code", "governorate__iso_code", "updated_at")) == before


def test_text_that_is_not_unicode_is_reported():
    # JSON may escape half of a UTF-16 surrogate pair; no database can store it.
    data = b'{"format": "bawaba-catalogue", "version": 1, "synonyms": [{"term": "\\ud800", "expansion": "x"}]}'
    with pytest.raises(CatalogueImportFailed) as failure, translation.override("en"):
        document_from_json(data)
    assert [(p.location, p.message) for p in failure.value.problems] == [
        ("$", "the file contains text that is not valid Unicode (a lone surrogate such as \\ud800)")
    ]


def test_import_command_reports_an_unknown_governorate(db, tmp_path, capsys):
    source = tmp_path / "catalogue.json"
    document = catalogue_document()
    document["departments"][0]["offices"][0]["governorate"] = "IQ-ZZ"
    del document["services"][0]["media"][0]
    source.write_text(json.dumps(document), encoding="utf-8")
    for options in (["--dry-run"], []):
        with pytest.raises(CommandError, match="1 problem"):
            call_command("import_catalogue", str(source), *options)
        assert "departments[0].offices[0].governorate: unknown governorate 'IQ-ZZ'" in capsys.readouterr().err
    assert set(counts().values()) == {0}


@pytest.mark.parametrize("action", ["check", "import"])
@pytest.mark.parametrize("code", ["IQ-ZZ", 1])
def test_admin_upload_reports_an_unknown_governorate(client, db, media_root, action, code):
    client.force_login(make_staff("operator", superuser=True))
    document = catalogue_document()
    document["departments"][0]["offices"][0]["governorate"] = code
    del document["services"][0]["media"][0]
    upload = SimpleUploadedFile("catalogue.json", json.dumps(document).encode(), content_type="application/json")
    with translation.override("en"):
        response = client.post(admin_url("catalog_service_transfer"), {"file": upload, action: "submitted"})
    assert response.status_code == 400
    assert [p.location for p in response.context["problems"]] == ["departments[0].offices[0].governorate"]
    assert set(counts().values()) == {0}
