"""The public catalogue API: shapes, languages, filters, and errors for bad input."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from bawaba.catalog.constants import StepLocation
from bawaba.catalog.models import RequiredDocument, ServiceFee, ServiceStep
from tests.factories import CategoryFactory, DepartmentFactory, OfficeFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(service):
    ServiceStep.objects.create(
        service=service, position=1, location=StepLocation.BAWABA, title_ar="احجز موعدا", title_en="Book an appointment"
    )
    ServiceStep.objects.create(
        service=service,
        position=2,
        location=StepLocation.MINISTRY_SITE,
        url="https://moi.gov.iq/",
        title_ar="ادفع الرسم",
        title_en="Pay the fee",
    )
    RequiredDocument.objects.create(service=service, position=1, name_ar="البطاقة الوطنية", name_en="National card")
    ServiceFee.objects.create(service=service, position=1, label_ar="جواز عادي", label_en="Ordinary", amount_iqd=25000)
    office = OfficeFactory(code="passports-karkh", department=service.department, name_ar="مكتب الكرخ")
    service.offices.add(office)
    return service


def test_service_list_shape_in_english(client, service):
    response = client.get("/api/v1/services?lang=en")
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "results": [
            {
                "slug": "passport-renewal",
                "name": "Renew a passport",
                "summary": "What the service is for.",
                "department": {"slug": "interior", "name": "Ministry of Interior"},
                "url": "http://testserver/en/services/passport-renewal/",
            }
        ],
    }


def test_service_list_defaults_to_arabic(client, service):
    result = client.get("/api/v1/services").json()["results"][0]
    assert result["name"] == "تجديد جواز السفر"
    assert result["url"] == "http://testserver/ar/services/passport-renewal/"


def test_kurdish_falls_back_to_arabic_when_a_text_is_missing(client, service):
    result = client.get("/api/v1/services?lang=ckb").json()["results"][0]
    assert result["name"] == "نوێکردنەوەی پاسپۆرت"
    assert result["department"]["name"] == "وزارة الداخلية"


def test_filters_by_department_and_category(client, service):
    other = ServiceFactory(department=DepartmentFactory(slug="health"))
    category = CategoryFactory(slug="travel")
    service.categories.add(category)
    assert [r["slug"] for r in client.get("/api/v1/services?department=health").json()["results"]] == [other.slug]
    assert [r["slug"] for r in client.get("/api/v1/services?category=travel").json()["results"]] == [service.slug]


def test_search_finds_the_service(client, service):
    body = client.get("/api/v1/services", {"q": "جواز", "lang": "ar"}).json()
    assert body["count"] == 1
    assert body["results"][0]["slug"] == "passport-renewal"


def test_pages_hold_twenty_services(client, department):
    ServiceFactory.create_batch(25, department=department)
    first = client.get("/api/v1/services?page=1").json()
    second = client.get("/api/v1/services?page=2").json()
    assert first["count"] == second["count"] == 25
    assert len(first["results"]) == 20
    assert len(second["results"]) == 5
    assert not {r["slug"] for r in first["results"]} & {r["slug"] for r in second["results"]}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("lang=fr", "lang", "Choose one of: ar, ckb, en."),
        ("page=0", "page", "The page must be a whole number from 1 to 500."),
        ("page=two", "page", "The page must be a whole number from 1 to 500."),
        ("page=99999999999999999999", "page", "The page must be a whole number from 1 to 500."),
        ("q=" + "x" * 201, "q", "The search text is too long (at most 200 characters)."),
        ("department=nowhere", "department", "There is no department with this slug."),
        ("category=nothing", "category", "There is no category with this slug."),
    ],
)
def test_bad_parameters_get_a_400_with_a_clear_message(client, service, query, field, message):
    response = client.get(f"/api/v1/services?lang=en&{query}" if "lang" not in query else f"/api/v1/services?{query}")
    assert response.status_code == 400
    # An unknown lang falls back to Arabic, the default; the other requests ask for English.
    with translation.override("ar" if query.startswith("lang=") else "en"):
        assert response.json() == {
            "code": "invalid",
            "message": gettext("Some of the values given are not valid."),
            "fields": {field: [gettext(message)]},
        }


def test_service_detail_returns_the_whole_guide(client, guide):
    response = client.get("/api/v1/services/passport-renewal?lang=en")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Renew a passport"
    assert [(s["position"], s["location"], s["title"]) for s in body["steps"]] == [
        (1, "bawaba", "Book an appointment"),
        (2, "ministry_site", "Pay the fee"),
    ]
    assert body["steps"][0]["location_label"] == "On Bawaba"
    assert body["documents"] == [{"name": "National card", "note": ""}]
    assert body["fees"] == [{"label": "Ordinary", "amount_iqd": 25000}]
    assert body["offices"][0]["code"] == "passports-karkh"
    assert body["offices"][0]["governorate"] == {"iso_code": "IQ-BG", "name": "Baghdad"}


def test_unknown_service_is_a_404(client, db):
    response = client.get("/api/v1/services/no-such-thing?lang=en")
    assert response.status_code == 404
    assert response.json() == {
        "code": "service_not_found",
        "message": "We could not find what you asked for.",
        "fields": {},
    }


def test_unpublished_service_is_a_404(client, service):
    service.is_published = False
    service.save()
    assert client.get("/api/v1/services/passport-renewal").status_code == 404
    assert client.get("/api/v1/services").json()["count"] == 0


def test_departments_list(client, service):
    body = client.get("/api/v1/departments?lang=en").json()
    assert body["count"] == 1
    department = body["results"][0]
    assert department["slug"] == "interior"
    assert department["service_count"] == 1
    assert department["kind"] == "ministry"
    assert department["kind_label"] == "Ministry"
    assert department["url"] == "http://testserver/en/departments/interior/"


def test_unknown_department_is_a_404(client, db):
    assert client.get("/api/v1/departments/nowhere").status_code == 404


def test_openapi_document_describes_the_endpoints(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/services", "/api/v1/services/{slug}", "/api/v1/departments"} <= set(document["paths"])
    parameters = {p["name"] for p in document["paths"]["/api/v1/services"]["get"]["parameters"]}
    assert parameters == {"q", "department", "category", "lang", "page"}


def test_docs_page_is_served_without_a_cdn(client, db):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_docs_page_fits_a_phone(client, db):
    html = client.get("/api/v1/docs").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
