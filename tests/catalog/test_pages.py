import pytest


@pytest.mark.django_db
def test_root_sends_visitors_to_arabic(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/ar/"


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("ckb", "rtl"), ("en", "ltr")])
def test_home_page_in_each_language(client, service, language, direction):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}" dir="{direction}"' in html


def test_service_page_shows_the_guide(client, service):
    response = client.get("/ar/services/passport-renewal/")
    assert response.status_code == 200
    assert "تجديد جواز السفر" in response.content.decode()


def test_unknown_service_is_a_translated_404(client, db):
    response = client.get("/en/services/no-such-service/")
    assert response.status_code == 404
    assert "We could not find what you asked for." in response.content.decode()


def test_department_page_says_who_heads_it_when_only_the_title_is_known(client, department):
    department.head_title_en = "Minister of Interior"
    department.save()
    html = client.get("/en/departments/interior/").content.decode()
    assert "Headed by" in html
    assert "Minister of Interior" in html
