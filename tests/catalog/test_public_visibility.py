"""What the public sees: a published service of a published department, everywhere (pages, API, search)."""

import pytest

from bawaba.catalog.search import search_index_update
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden_department(service):
    service.categories.add(CategoryFactory(slug="travel"))
    search_index_update(service_ids=[service.pk])
    service.department.is_published = False
    service.department.save()
    return service.department


def test_services_of_an_unpublished_department_are_hidden(client, service, hidden_department):
    assert client.get("/en/services/passport-renewal/").status_code == 404
    assert client.get("/en/departments/interior/").status_code == 404
    assert client.get("/api/v1/services/passport-renewal").status_code == 404
    assert client.get("/api/v1/services").json()["count"] == 0
    assert client.get("/api/v1/services", {"q": "جواز"}).json()["count"] == 0
    assert "passport-renewal" not in client.get("/en/categories/travel/").content.decode()
    assert "passport-renewal" not in client.get("/en/").content.decode()


def test_republishing_shows_them_again(client, service, hidden_department):
    hidden_department.is_published = True
    hidden_department.save()
    assert client.get("/en/services/passport-renewal/").status_code == 200
    assert client.get("/api/v1/services", {"q": "جواز"}).json()["count"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/services/%00",
        "/api/v1/departments/%00",
        "/api/v1/services/a%00b",
        "/en/services/%00/",
        "/en/departments/%00/",
        "/en/categories/%00/",
    ],
)
def test_nul_bytes_in_slugs_are_not_found(client, service, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("parameter", ["department", "category"])
def test_nul_bytes_in_filters_are_a_clear_400(client, service, parameter):
    response = client.get(f"/api/v1/services?lang=en&{parameter}=%00")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [parameter]
