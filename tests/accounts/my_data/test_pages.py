"""The "My data" overview and the log of staff views: mine only, newest first, a page at a time."""

import datetime as dt

import pytest

from bawaba.accounts.models import PersonalDataAccess
from bawaba.accounts.my_data.views import ACCESS_LOG_PAGE_SIZE
from bawaba.accounts.personal_data import personal_data_access_record
from tests.accounts.my_data.conftest import sign_in_url, url


def test_the_overview_offers_download_log_and_deletion(citizen_client, citizen, officer_of_health):
    personal_data_access_record(staff=officer_of_health, citizen=citizen, reason="Case HC-1", what="Profile")
    personal_data_access_record(staff=officer_of_health, citizen=citizen, reason="Case HC-2", what="Profile")

    response = citizen_client.get(url("accounts:my_data"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>My data</h1>" in page
    assert f'<form method="post" action="{url("accounts:my_data_download")}">' in page
    assert "The file never contains your password or any security code." in page
    assert "Staff looked at your data 2 times." in page
    assert f'href="{url("accounts:data_access_log")}"' in page
    assert f'href="{url("accounts:delete_account")}"' in page
    assert "no-store" in response["Cache-Control"]


def test_the_overview_says_when_nobody_looked(citizen_client, citizen):
    page = citizen_client.get(url("accounts:my_data")).content.decode()

    assert "No member of staff has looked at your data." in page


@pytest.mark.parametrize("name", ["accounts:my_data", "accounts:data_access_log", "accounts:delete_account"])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, name):
    target, sign_in = url(name), sign_in_url()

    response = client.get(target)

    assert response.status_code == 302
    assert response["Location"] == f"{sign_in}?next={target}"


def test_the_log_shows_when_who_where_why_and_what(citizen_client, citizen, officer_of_health, health_department):
    access = personal_data_access_record(
        staff=officer_of_health,
        citizen=citizen,
        reason="Complaint HC-2026-001 about a clinic",
        what="Name and mobile number",
        department=health_department,
    )
    PersonalDataAccess.objects.filter(pk=access.pk).update(viewed_at=dt.datetime(2026, 3, 1, 21, 30, tzinfo=dt.UTC))

    response = citizen_client.get(url("accounts:data_access_log"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Who looked at your data</h1>" in page
    # 21:30 UTC is half past midnight the next day in Baghdad.
    assert '<time datetime="2026-03-02T00:30:00+03:00">2 March 2026, 00:30</time>' in page
    assert "<dd>Huda Kareem</dd>" in page
    assert "<dd>Ministry of Health</dd>" in page
    assert "<dd>Complaint HC-2026-001 about a clinic</dd>" in page
    assert "<dd>Name and mobile number</dd>" in page


def test_the_log_holds_only_my_views(other_client, citizen, other_citizen, officer_of_health):
    personal_data_access_record(staff=officer_of_health, citizen=citizen, reason="Zainab's case", what="Profile")
    personal_data_access_record(staff=officer_of_health, citizen=other_citizen, reason="Omar's case", what="Phone")

    page = other_client.get(url("accounts:data_access_log")).content.decode()

    assert "Omar&#x27;s case" in page
    assert "Zainab" not in page


def test_the_log_is_newest_first_twenty_to_a_page(citizen_client, citizen, officer_of_health):
    start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    for n in range(21):
        access = personal_data_access_record(
            staff=officer_of_health, citizen=citizen, reason=f"Case number {n:02d}", what="Profile"
        )
        PersonalDataAccess.objects.filter(pk=access.pk).update(viewed_at=start + dt.timedelta(days=n))

    first = citizen_client.get(url("accounts:data_access_log")).content.decode()
    second = citizen_client.get(url("accounts:data_access_log") + "?page=2").content.decode()

    assert first.count('<li class="card">') == 20
    assert first.index("Case number 20") < first.index("Case number 19")
    assert "Case number 00" not in first
    assert '<a rel="next" href="?page=2">' in first
    assert "Page 1 of 2" in first
    assert second.count('<li class="card">') == 1
    assert "Case number 00" in second
    assert '<a rel="prev" href="?page=1">' in second


@pytest.mark.parametrize(
    ("page", "shown"), [("abc", "Case number 1"), ("999", "Case number 0"), ("-1", "Case number 0")]
)
def test_a_strange_page_number_shows_a_real_page(citizen_client, citizen, officer_of_health, page, shown):
    start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    for n in range(ACCESS_LOG_PAGE_SIZE + 1):
        access = personal_data_access_record(
            staff=officer_of_health, citizen=citizen, reason=f"Case number {n}", what="Profile"
        )
        PersonalDataAccess.objects.filter(pk=access.pk).update(viewed_at=start + dt.timedelta(days=n))

    response = citizen_client.get(url("accounts:data_access_log") + f"?page={page}")

    assert response.status_code == 200
    assert f"<dd>{shown}</dd>" in response.content.decode()


def test_an_empty_log_says_so(citizen_client, citizen):
    page = citizen_client.get(url("accounts:data_access_log")).content.decode()

    assert "No member of staff has looked at your data." in page
    assert '<li class="card">' not in page


def test_the_deleted_page_needs_no_account(client, db):
    response = client.get(url("accounts:account_deleted"))

    assert response.status_code == 200
    assert "<h1>Your account is deleted</h1>" in response.content.decode()
