"""The Arabic and Sorani catalogues are complete, well-formed and compiled, and people see them.

The .po files are read with a small parser of our own (no new package): every entry must be translated in
every plural form, none may be fuzzy, and each translation must keep its message's placeholders and HTML.
The committed .mo files must say the same as the .po files, because machines without gettext serve them as
they are.
"""

import ast
import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

LANGUAGES = ("ar", "ckb")
PLURAL_FORMS = {
    "ar": ("nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;"),
    "ckb": "nplurals=2; plural=(n != 1);",
}
# printf-style placeholders as Python's % operator reads them: %(name)s, %s, %d, %r ... (%% is a plain %).
PLACEHOLDER = re.compile(r"%%|%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# Letters that only one of the two scripts uses: Arabic typed on a Kurdish keyboard, or the reverse.
NOT_SORANI = set("يكةى")
NOT_ARABIC = set("یکەڵڕۆێ")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def forms(self) -> list[str]:
        return [self.msgstr[index] for index in sorted(self.msgstr)]


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: a string continues nothing"
            keyword, rest = "", line
        # A .po string is a C string literal; Python's literal syntax reads the same escapes.
        text = ast.literal_eval(rest)
        if keyword == "msgid":
            if target is not None and target[0].startswith("msgstr"):
                finish()
            elif target is not None and target[0] == "msgctxt":
                pass  # the context opened this entry
            entry.line = number
            target = ("msgid", 0)
            entry.msgid = text
        elif keyword == "msgid_plural":
            target = ("msgid_plural", 0)
            entry.msgid_plural = text
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            target = ("msgstr", index)
            entry.msgstr[index] = text
        elif keyword == "msgctxt":
            if target is not None and target[0].startswith("msgstr"):
                finish()
            target = ("msgctxt", 0)
            entry.msgctxt = text
        elif keyword == "":
            assert target is not None
            name, index = target
            if name == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + text
            elif name == "msgid":
                entry.msgid += text
            elif name == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + text
            elif name == "msgstr":
                entry.msgstr[index] += text
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
    finish()
    return entries


def po_path(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def header(language: str) -> dict[str, str]:
    first = parse_po(po_path(language))[0]
    assert first.msgid == "", "the header must come first"
    pairs = (line.partition(":") for line in first.msgstr[0].splitlines() if line)
    return {key.strip(): value.strip() for key, _, value in pairs}


def messages(language: str) -> list[Entry]:
    return [entry for entry in parse_po(po_path(language)) if entry.msgid]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_names_the_language_and_its_plural_rule(language):
    values = header(language)
    assert values["Language"] == language
    assert values["Content-Type"] == "text/plain; charset=UTF-8"
    assert values["Plural-Forms"] == PLURAL_FORMS[language]
    assert "fuzzy" not in parse_po(po_path(language))[0].flags


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_in_every_form(language):
    nplurals = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[language]).group(1))
    entries = messages(language)
    assert len(entries) > 300, "the catalogue looks truncated"
    untranslated = [
        entry.msgid
        for entry in entries
        if not all(form.strip() for form in entry.forms)
        or len(entry.forms) != (nplurals if entry.msgid_plural is not None else 1)
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_fuzzy(language):
    assert [entry.msgid for entry in messages(language) if "fuzzy" in entry.flags] == []


def placeholders(entry: Entry, text: str) -> set[str]:
    # Without python-format the text is never %-formatted, so a % in it is only a percent sign.
    if "python-format" not in entry.flags:
        return set()
    return set(PLACEHOLDER.findall(text)) - {"%%"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_html(language):
    broken = []
    for entry in messages(language):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        expected = set().union(*(placeholders(entry, source) for source in sources))
        for form in entry.forms:
            # Every form of a plural is used with a number, so each keeps every placeholder; an invented
            # one would raise KeyError when the page is rendered.
            if placeholders(entry, form) != expected:
                broken.append((entry.msgid, form))
            if Counter(HTML_TAG.findall(entry.msgid)) != Counter(HTML_TAG.findall(form)):
                broken.append((entry.msgid, form))
    assert broken == []


@pytest.mark.parametrize(("language", "foreign"), [("ar", NOT_ARABIC), ("ckb", NOT_SORANI)])
def test_each_catalogue_is_written_in_its_own_letters(language, foreign):
    wrong = [(entry.msgid, form) for entry in messages(language) for form in entry.forms if foreign & set(form)]
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_matches_the_po_file(language):
    with po_path(language).with_suffix(".mo").open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    # The compiled catalogue keys a plural's forms as (msgid, index), and a message with a context as
    # "context\x04msgid" (GNU gettext's separator).
    catalog = compiled._catalog

    def key(entry: Entry) -> str:
        return entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"

    stale = [
        entry.msgid
        for entry in messages(language)
        if (
            [catalog.get(key(entry))]
            if entry.msgid_plural is None
            else [catalog.get((key(entry), index)) for index in sorted(entry.msgstr)]
        )
        != entry.forms
    ]
    assert stale == [], "run: manage.py compilemessages -i .venv -i node_modules"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "٠ خدمة"),
        (1, "١ خدمة"),
        (2, "٢ خدمتان"),
        (3, "٣ خدمات"),
        (10, "١٠ خدمات"),
        (11, "١١ خدمة"),
        (100, "١٠٠ خدمة"),
        (103, "١٠٣ خدمات"),
    ],
)
def test_arabic_counts_take_the_right_plural_form(count, expected):
    with translation.override("ar"):
        text = ngettext("%(shown)s service", "%(shown)s services", count) % {"shown": count}
    assert text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) == expected


@pytest.mark.parametrize(("count", "expected"), [(1, "1 خزمەتگوزاری"), (5, "5 خزمەتگوزاری")])
def test_sorani_counts_take_the_right_plural_form(count, expected):
    with translation.override("ckb"):
        assert ngettext("%(shown)s service", "%(shown)s services", count) % {"shown": count} == expected


# What people see.


@pytest.mark.django_db
def test_the_arabic_home_page_speaks_arabic(client):
    html = client.get("/ar/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<label for="q">ما المعاملة التي تريد إنجازها؟</label>' in html
    assert ">الخدمات</a>" in html
    assert "What do you need to do?" not in html


@pytest.mark.django_db
def test_the_kurdish_home_page_speaks_sorani(client):
    html = client.get("/ckb/").content.decode()
    assert '<html lang="ckb" dir="rtl">' in html
    assert '<label for="q">دەتەوێت چی بکەیت؟</label>' in html
    assert ">خزمەتگوزارییەکان</a>" in html
    assert "What do you need to do?" not in html


@pytest.mark.django_db
def test_the_english_home_page_stays_english(client):
    html = client.get("/en/").content.decode()
    assert '<label for="q">What do you need to do?</label>' in html


@pytest.mark.django_db
def test_a_missing_page_is_explained_in_arabic(client):
    response = client.get("/ar/services/no-such-service/")
    assert response.status_code == 404
    assert "لم نجد ما طلبته." in response.content.decode()


@pytest.mark.django_db
def test_an_api_error_comes_in_arabic(client):
    response = client.get("/api/v1/services?lang=ar&page=0")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "بعض القيم المدخلة غير صالحة.",
        "fields": {"page": ["يجب أن يكون رقم الصفحة عدداً صحيحاً من 1 إلى 500."]},
    }


@pytest.mark.django_db
def test_an_api_error_about_a_filter_comes_in_the_requested_language(client):
    response = client.get("/api/v1/services?lang=ckb&department=nowhere")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "هەندێک لەو بەهایانەی دراون دروست نین.",
        "fields": {"department": ["هیچ دامەزراوەیەک بەم ناسێنەرە (slug) نییە."]},
    }
