"""Naming a browser or app in plain words ("Chrome on Android") from its User-Agent header.

A few patterns cover the phones and computers people use; anything else is "a browser" on "a device".
The header is the client's claim and is shown to its owner only, to recognise their own sessions.
"""

import re

from django.utils.translation import gettext as _

# Checked in order: many browsers also claim to be Chrome or Safari, so the specific ones come first.
_BROWSERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bBawaba/"), "Bawaba app"),
    (re.compile(r"\bEdg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"\b(OPR|Opera|OPiOS)/"), "Opera"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\bUCBrowser/"), "UC Browser"),
    (re.compile(r"\b(Firefox|FxiOS)/"), "Firefox"),
    (re.compile(r"\b(Chrome|CriOS|Chromium)/"), "Chrome"),
    (re.compile(r"\bVersion/[\d.]+.*\bSafari/"), "Safari"),
]
_SYSTEMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\biPhone\b"), "iPhone"),
    (re.compile(r"\biPad\b"), "iPad"),
    (re.compile(r"\bKAIOS\b", re.IGNORECASE), "KaiOS"),
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\bMacintosh\b"), "Mac"),
    (re.compile(r"\bLinux\b"), "Linux"),
]

SHORT_USER_AGENT_LENGTH = 200


def short_user_agent(header: str) -> str:
    """What is kept of the header: printable characters only, at most 200 of them."""
    printable = "".join(character for character in header if character.isprintable())
    return printable[:SHORT_USER_AGENT_LENGTH]


def device_description(user_agent: str) -> str:
    """ "Chrome on Android", "Safari on iPhone", "Bawaba app on Android", or a plain fallback."""
    browser = next((name for pattern, name in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), "")
    if browser == "Bawaba app":
        browser = _("Bawaba app")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser:
        return browser
    if system:
        return _("A browser on %(system)s") % {"system": system}
    return _("An unknown browser or app")
