"""Issue 4's promise, in a browser: a new person signs up in Arabic on a 360x740 phone, the first code is
late, they ask for another, give up, come back an hour later in a fresh browser, sign up again with the
same number and finish on the same account, signed in. Once with JavaScript on and once with it off.

Codes are read from the live server's outbox file, as the person reads their SMS. Time is the test's: the
resend waits are one second (settings) and "an hour later" moves the server's clock (the `clock` fixture).
On every page: Arabic, right to left, no sideways scrolling, a label for every input, nothing fetched from
another origin, and axe-core's WCAG 2.2 A/AA rules.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from bawaba.accounts.constants import VerificationStatus
from bawaba.accounts.models import PhoneVerification, User, VerificationCode
from tests.browser.conftest import Outbox, Phones, ShiftedClock, Tab, axe_violations_of_snapshot
from tests.browser.data import (
    NEW_PERSON_NAME,
    NEW_PERSON_NUMBER,
    NEW_PERSON_NUMBER_TYPED,
    NEW_PERSON_PASSWORD,
)

pytestmark = pytest.mark.browser

# Inputs with no <label> (nor aria-label / aria-labelledby), as HTML.
UNLABELLED_INPUTS = """() => [...document.querySelectorAll("input, select, textarea")]
    .filter(element => !["hidden", "submit", "button"].includes(element.type))
    .filter(element => !(element.labels && element.labels.length)
        && !element.getAttribute("aria-label") && !element.getAttribute("aria-labelledby"))
    .map(element => element.outerHTML)"""


def _path(name: str) -> str:
    with translation.override("ar"):
        return reverse(name)


def _check_page(browser: Any, tab: Tab, *, javascript: bool) -> None:
    """What every page of the journey must be on a small phone in Arabic."""
    page = tab.page
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 360 px"
    assert page.evaluate(UNLABELLED_INPUTS) == [], page.url
    violations = tab.axe_violations() if javascript else axe_violations_of_snapshot(browser, page.url, page.content())
    assert violations == [], page.url


def _sign_up(browser: Any, tab: Tab, *, javascript: bool) -> None:
    """From the home page to the waiting page, typing the number in local format with Eastern Arabic digits."""
    tab.open("/ar/")
    _check_page(browser, tab, javascript=javascript)
    _follow(tab, tab.page.locator(f"header a[href='{_path('accounts:signup')}']"))
    assert tab.page.url == tab.base_url + _path("accounts:signup")
    _check_page(browser, tab, javascript=javascript)
    form = tab.page.locator(f"form[action='{_path('accounts:signup')}']")
    form.locator("#id_phone").press_sequentially(NEW_PERSON_NUMBER_TYPED)
    form.locator("#id_full_name").press_sequentially(NEW_PERSON_NAME)
    form.locator("#id_password").press_sequentially(NEW_PERSON_PASSWORD)
    _follow(tab, form.locator("button[type=submit]"))
    assert tab.page.url == tab.base_url + _path("accounts:verify")
    _check_page(browser, tab, javascript=javascript)


def _code_form(tab: Tab) -> Any:
    return tab.page.locator(f"form[action='{_path('accounts:verify')}']")


def _follow(tab: Tab, control: Any) -> None:
    """Click a link or a submit button and wait for the page it leads to (the URL may stay the same)."""
    with tab.page.expect_navigation():
        control.click()


def _enter_code(tab: Tab, code: str) -> None:
    form = _code_form(tab)
    form.locator("#id_code").fill(code)
    _follow(tab, form.locator("button[type=submit]"))


def _sms_resend_button(tab: Tab) -> Any:
    form = tab.page.locator(f"form[action='{_path('accounts:verify_resend')}']").filter(
        has=tab.page.locator("input[name=channel][value=sms]")
    )
    return form.locator("button[type=submit]")


def _only_origin(tabs: list[Tab], origin: str) -> list[str]:
    return [url for tab in tabs for url in tab.requests if not url.startswith(origin + "/")]


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_sign_up_with_a_late_code_then_finish_an_hour_later(
    browser: Any, phones: Phones, clock: ShiftedClock, outbox: Outbox, live_server: Any, javascript: bool
) -> None:
    # Day one: sign up; the code does not come.
    first = phones.open(javascript=javascript)
    _sign_up(browser, first, javascript=javascript)
    resend = _sms_resend_button(first)
    assert resend.is_disabled(), "the countdown runs before a new code may be asked for"
    if javascript:
        # The page's script counts down and enables the button by itself (a one-second wait here).
        first.page.wait_for_function(
            "button => !button.disabled", arg=resend.element_handle(), timeout=10_000, polling=100
        )
    else:
        # Without JavaScript the person waits, then refreshes the page with its "check again" link.
        clock.advance(seconds=2)
        _follow(first, first.page.locator(f"main section a[href='{_path('accounts:verify')}']"))
        assert _sms_resend_button(first).is_enabled()
    _follow(first, _sms_resend_button(first))
    assert first.page.url == first.base_url + _path("accounts:verify")
    assert first.page.locator(".notice.success[role=status]").count() == 1, "the page says a new code was sent"
    _check_page(browser, first, javascript=javascript)
    # Now both SMS arrive, the late one first.
    late_code, second_code = outbox.codes(to=NEW_PERSON_NUMBER)
    assert first.errors == []
    phones.close(first)  # they give up and close the browser: its cookies, and the ticket, are gone

    # An hour later, in a new browser: the same sign-up form, the same number.
    clock.advance(hours=1)
    again = phones.open(javascript=javascript)
    _sign_up(browser, again, javascript=javascript)
    assert User.objects.filter(phone=NEW_PERSON_NUMBER).count() == 1, "never a second account"
    verification = PhoneVerification.objects.get(phone=NEW_PERSON_NUMBER)  # the same verification, resumed
    assert verification.status == VerificationStatus.PENDING
    assert VerificationCode.objects.filter(verification=verification).count() == 3
    codes = outbox.codes(to=NEW_PERSON_NUMBER)
    assert len(codes) == 3
    assert codes[:2] == [late_code, second_code]
    newest_code = codes[2]

    # A wrong code: the error summary is announced, can take the focus and leads to the field, which says why.
    wrong_code = next(code for code in ("135790", "246801", "975310") if code not in codes)
    _enter_code(again, wrong_code)
    summary = again.page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    assert summary.get_attribute("tabindex") == "-1"
    summary.focus()
    assert summary.evaluate("element => document.activeElement === element")
    assert summary.locator("li").count() == 1
    assert summary.get_by_role("link").get_attribute("href") == "#id_code"
    code_input = _code_form(again).locator("#id_code")
    assert code_input.get_attribute("aria-invalid") == "true"
    assert "id_code_error" in (code_input.get_attribute("aria-describedby") or "").split()
    again.errors.clear()  # the 400 answer to a wrong code is expected
    _check_page(browser, again, javascript=javascript)

    # The late code has expired by now (five minutes): it is refused without counting as a wrong guess.
    wrong_code_message = summary.inner_text()
    _enter_code(again, late_code)
    assert again.page.locator(".error-summary[role=alert]").is_visible()
    assert again.page.locator(".error-summary").inner_text() != wrong_code_message, "it says the code expired"
    verification.refresh_from_db()
    assert verification.failed_attempts == 1
    again.errors.clear()

    # The code that came with the second sign-up finishes it: signed in, on the account page.
    _enter_code(again, newest_code)
    assert again.page.url == again.base_url + _path("accounts:home")
    _check_page(browser, again, javascript=javascript)
    assert again.page.locator("main").get_by_text(NEW_PERSON_NAME, exact=True).is_visible()
    user = User.objects.get(phone=NEW_PERSON_NUMBER)
    assert user.full_name == NEW_PERSON_NAME
    assert user.phone_verified_at is not None
    assert user.check_password(NEW_PERSON_PASSWORD)
    assert User.objects.count() == 1
    verification.refresh_from_db()
    assert verification.status == VerificationStatus.VERIFIED
    assert again.errors == []
    assert _only_origin([first, again], live_server.url) == [], "nothing may come from another origin"
