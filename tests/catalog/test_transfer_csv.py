"""Services as CSV: what a spreadsheet round-trips, problems by line and column, all rows or none,
and the admin page where operators upload a file.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bawaba.catalog.models import Service, ServiceStep
from bawaba.catalog.transfer.csv_format import catalogue_export_csv, catalogue_import_csv
from bawaba.catalog.transfer.errors import CatalogueImportFailed
from bawaba.catalog.transfer.json_import import catalogue_import
from tests.catalog.test_admin_helpers import admin_url, make_staff
from tests.catalog.test_transfer_helpers import catalogue_document


@pytest.fixture
def catalogue(db):
    """The sample catalogue without its picture (pictures are covered by the JSON tests)."""
    document = catalogue_document()
    del document["services"][0]["media"][0]
    catalogue_import(document=document)


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _csv(rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    header = list(dict.fromkeys(column for row in rows for column in row))
    output = io.StringIO()
    writer = csv.DictWriter(output, header, delimiter=delimiter, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return output.getvalue().encode("utf-8-sig")


def _problems(data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(CatalogueImportFailed) as failure, translation.override("en"):
        catalogue_import_csv(data=data)
    return [(problem.location, problem.message) for problem in failure.value.problems]


def _snapshot() -> list[tuple]:
    return list(Service.objects.order_by("slug").values_list("slug", "summary_ar", "updated_at"))


def test_export_import_export_gives_the_same_file(catalogue):
    first = catalogue_export_csv()
    Service.objects.all().delete()
    report = catalogue_import_csv(data=first)
    assert report.created == {"services": 2}
    assert catalogue_export_csv() == first


def test_one_row_per_service_with_a_column_per_language(catalogue):
    data = catalogue_export_csv()
    assert data.startswith(b"\xef\xbb\xbf")  # so Excel reads Arabic as UTF-8
    first, second = _rows(data)
    assert (first["slug"], first["name_ar"], first["name_ckb"]) == ("passport-first", "إصدار جواز سفر لأول مرة", "")
    assert second["channels"] == "online|office"
    assert second["is_account_required"] == "yes"
    assert (second["step1_location"], second["step1_title_en"]) == ("bawaba", "Book an appointment")
    assert (second["fee2_label_ar"], second["fee2_amount_iqd"]) == ("جواز 48 صفحة", "50000")
    assert second["summary_en"] == "Renew an expired passport.\nBring the old one."
    assert second["media1_video_url"] == "https://video.example.iq/renewal"


def test_one_bad_row_among_good_ones_changes_nothing(catalogue):
    good, renewal = _rows(catalogue_export_csv())
    good["summary_ar"] = "ملخص جديد"
    renewal["fee1_amount_iqd"] = "twenty"
    new = {**good, "slug": "new-service", "department": "no-such-department"}
    before = _snapshot()
    problems = _problems(_csv([good, new, renewal]))
    # In file order, whether the spreadsheet reader or the importer found them.
    assert problems == [
        ("line 3, column department", "unknown department 'no-such-department'"),
        ("line 4, column fee1_amount_iqd", "must be a whole number, 0 or more"),
    ]
    assert _snapshot() == before


def test_lines_are_counted_as_spreadsheet_rows(catalogue):
    # The second service's summary spans two lines of the file, but it is one row in a spreadsheet.
    rows = _rows(catalogue_export_csv())
    rows[0]["summary_ar"] = "سطر أول\nسطر ثان"
    rows[1]["step2_location"] = "on foot"
    assert _problems(_csv(rows)) == [("line 3, column step2_location", "Value 'on foot' is not a valid choice.")]


def test_gaps_between_numbered_groups_are_allowed(catalogue):
    rows = _rows(catalogue_export_csv())
    rows[1] |= {"step2_location": "", "step2_title_ar": "", "step2_body_ar": ""}
    rows[1] |= {"step3_location": "office", "step3_title_ar": "استلم الجواز"}
    rows[1] |= {"media1_step": "3"}
    catalogue_import_csv(data=_csv(rows))
    service = Service.objects.get(slug="passport-renewal")
    assert list(service.steps.values_list("position", "title_ar")) == [(1, "احجز موعدا"), (2, "استلم الجواز")]
    assert service.media.get().step == service.steps.get(position=2)


def test_a_picture_on_an_empty_step_is_reported(catalogue):
    rows = _rows(catalogue_export_csv())
    rows[1]["media1_step"] = "5"
    assert _problems(_csv(rows)) == [("line 3", "a picture or video refers to step 5, which is empty")]
    rows[1]["media1_step"] = "2"
    rows[1] |= {"step2_location": "", "step2_title_ar": "", "step2_body_ar": ""}
    assert _problems(_csv(rows)) == [("line 3", "a picture or video refers to step 2, which is empty")]


def test_formulas_are_neutralised_and_come_back_unchanged(catalogue):
    Service.objects.filter(slug="passport-first").update(summary_en='=HYPERLINK("http://evil.example","click")')
    data = catalogue_export_csv()
    assert _rows(data)[0]["summary_en"] == '\'=HYPERLINK("http://evil.example","click")'
    Service.objects.filter(slug="passport-first").update(summary_en="changed")
    catalogue_import_csv(data=data)
    assert Service.objects.get(slug="passport-first").summary_en == '=HYPERLINK("http://evil.example","click")'


def test_what_arabic_spreadsheets_write(catalogue):
    # Semicolons between cells, Arabic-Indic digits with a thousands separator, نعم / لا.
    rows = _rows(catalogue_export_csv())
    rows[1] |= {"fee1_amount_iqd": "٢٥٬٠٠٠", "is_account_required": "لا", "popularity": "٩٠"}
    catalogue_import_csv(data=_csv(rows, delimiter=";"))
    service = Service.objects.get(slug="passport-renewal")
    assert (service.fees.get(position=1).amount_iqd, service.is_account_required, service.popularity) == (
        25000,
        False,
        90,
    )


def test_the_header_is_checked_first(catalogue):
    data = "slug,department,name_ar,sumary_ar,step1_titel_ar\nx,interior,اسم,ملخص,خطوة\n".encode()
    assert _problems(data) == [
        ("line 1, column sumary_ar", "unknown column (see docs/catalogue-format.md)"),
        ("line 1, column step1_titel_ar", "unknown column (see docs/catalogue-format.md)"),
        ("line 1, column summary_ar", "this column is required"),
    ]


def test_cells_and_text_that_are_not_what_they_should_be(catalogue):
    rows = _rows(catalogue_export_csv())
    rows[0]["is_published"] = "maybe"
    extra = ",".join(rows[0].values())  # one cell too many on line 3
    data = _csv(rows[:1]) + (extra + ',"surprise"\r\n').encode()
    assert _problems(data) == [
        ("line 2, column is_published", "write yes or no"),
        ("line 3", f"has {len(rows[0]) + 1} cells but the header has {len(rows[0])} columns"),
    ]
    assert _problems("slug,department\n".encode("utf-16")) == [
        ("$", "the file is not UTF-8 text; save it as “CSV UTF-8” from your spreadsheet")
    ]


def test_empty_rows_at_the_end_are_ignored(catalogue):
    data = catalogue_export_csv() + b",,,\r\n\r\n"
    assert catalogue_import_csv(data=data, dry_run=True).updated == {"services": 2}


# The admin page.


@pytest.fixture
def operator_client(client, db):
    client.force_login(make_staff("operator", superuser=True))
    return client


def _upload(client, data: bytes, name: str, action: str):
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(admin_url("catalog_service_transfer"), {"file": upload, action: "submitted"})


def test_admin_upload_lists_every_problem_and_changes_nothing(operator_client, catalogue):
    rows = _rows(catalogue_export_csv())
    rows[0]["summary_ar"] = ""
    rows[1]["fee1_amount_iqd"] = "-5"
    before = _snapshot()
    with translation.override("en"):
        response = _upload(operator_client, _csv(rows), "services.csv", "import")
    assert response.status_code == 400
    html = response.content.decode()
    assert "line 2, column summary_ar" in html
    assert "line 3, column fee1_amount_iqd" in html
    assert _snapshot() == before


def test_admin_check_then_import(operator_client, catalogue):
    rows = _rows(catalogue_export_csv())
    rows[0]["summary_ar"] = "ملخص من الجدول"
    data = _csv(rows)
    response = _upload(operator_client, data, "services.csv", "check")
    assert response.status_code == 200
    assert response.context["report"].updated == {"services": 2}
    assert Service.objects.get(slug="passport-first").summary_ar == "أول جواز"
    response = _upload(operator_client, data, "services.csv", "import")
    assert response.status_code == 302
    assert Service.objects.get(slug="passport-first").summary_ar == "ملخص من الجدول"


def test_admin_download_is_the_export(operator_client, catalogue):
    response = operator_client.get(admin_url("catalog_service_export", "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="bawaba-services-')
    assert response.content == catalogue_export_csv()
    assert operator_client.get(admin_url("catalog_service_export", "xml")).status_code == 404


def test_admin_upload_needs_a_known_format(operator_client, catalogue):
    response = _upload(operator_client, b"slug\n", "services.xlsx", "check")
    assert response.status_code == 200
    assert "file_format" in response.context["form"].errors
    assert ServiceStep.objects.count() == 2
