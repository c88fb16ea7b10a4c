"""Service search through its public entry points: service_search, search_index_update, the page, the command."""

import pytest
from django.core.management import call_command

from bawaba.catalog.models import SearchDocument, SearchSynonym, Service, ServiceStep
from bawaba.catalog.search import search_index_update, service_search
from bawaba.catalog.search.lexicon import lexicon_cache
from bawaba.catalog.transfer.json_import import catalogue_import
from tests.factories import CategoryFactory, DepartmentFactory, ServiceFactory


@pytest.fixture(autouse=True)
def _fresh_lexicon():
    lexicon_cache.clear()
    yield
    lexicon_cache.clear()


@pytest.fixture
def interior(db):
    return DepartmentFactory(
        slug="interior",
        name_ar="وزارة الداخلية",
        name_ckb="وەزارەتی ناوخۆ",
        name_en="Ministry of Interior",
        description_en="Issues passports and national cards.",
    )


@pytest.fixture
def trade(db):
    return DepartmentFactory(
        slug="trade", name_ar="وزارة التجارة", name_ckb="وەزارەتی بازرگانی", name_en="Ministry of Trade"
    )


@pytest.fixture
def catalogue(interior, trade):
    """A few real-looking services, as (slug → service)."""
    services = [
        ServiceFactory(
            slug="passport-issue",
            department=interior,
            name_ar="إصدار جواز سفر لأول مرة",
            name_ckb="دەرکردنی پاسپۆرت بۆ یەکەمجار",
            name_en="Get a passport for the first time",
            summary_ar="قدّم على أول جواز سفر عراقي إلكتروني.",
            summary_en="Apply for your first Iraqi e-passport.",
            popularity=95,
        ),
        ServiceFactory(
            slug="passport-renewal",
            department=interior,
            name_ar="تجديد جواز السفر",
            name_ckb="نوێکردنەوەی پاسپۆرت",
            name_en="Renew a passport",
            summary_ar="جدّد جوازك قبل انتهاء صلاحيته.",
            summary_en="Renew your passport before it expires.",
            popularity=90,
        ),
        ServiceFactory(
            slug="national-id-card",
            department=interior,
            name_ar="إصدار البطاقة الوطنية الموحدة",
            name_ckb="دەرکردنی کارتی نیشتمانیی یەکگرتوو",
            name_en="Get the Unified National Card",
            summary_ar="البطاقة التي تجمع هوية الأحوال المدنية وشهادة الجنسية.",
            summary_en="The card that replaces the civil ID and the nationality certificate.",
            popularity=95,
        ),
        ServiceFactory(
            slug="driving-licence-first",
            department=interior,
            name_ar="إصدار إجازة السياقة لأول مرة",
            name_ckb="دەرکردنی مۆڵەتی شۆفێری بۆ یەکەمجار",
            name_en="Get your first driving licence",
            summary_en="Pass the tests and get a driving licence.",
            popularity=85,
        ),
        ServiceFactory(
            slug="ration-card-add-member",
            department=trade,
            name_ar="إضافة فرد إلى البطاقة التموينية",
            name_ckb="زیادکردنی ئەندامێک بۆ کارتی بەشە خۆراک",
            name_en="Add a family member to a ration card",
            summary_en="Add a newborn or a spouse to the family's ration card.",
            popularity=82,
        ),
    ]
    return {service.slug: service for service in services}


def slugs(query, language="ar", **filters):
    return [service.slug for service in service_search(query=query, language=language, **filters).results]


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("جواز سفر", "ar"),
        ("جَوَاز السَّفَر", "ar"),  # diacritics
        ("جـــواز", "ar"),  # tatweel
        ("الجوازات", "ar"),  # article and plural
        ("پاسپۆرت", "ckb"),
        ("باسبورت", "ckb"),  # Kurdish typed on an Arabic keyboard
        ("PASSPORT", "en"),
        ("passports", "en"),
    ],
)
def test_finds_a_service_by_its_name_however_it_is_written(catalogue, query, language):
    assert set(slugs(query, language)[:2]) == {"passport-issue", "passport-renewal"}


def test_hamza_alef_maqsura_and_ta_marbuta_do_not_matter(catalogue):
    assert slugs("اصدار البطاقه الوطنيه")[0] == "national-id-card"
    assert slugs("إصدار البطاقة الوطنية")[0] == "national-id-card"
    assert slugs("اضافه فرد الى البطاقه التموينيه") == ["ration-card-add-member"]


def test_kurdish_words_meet_whichever_keyboard_typed_them(catalogue):
    assert slugs("مۆڵەتی شۆفێری", "ckb") == ["driving-licence-first"]
    assert slugs("مولهتي شوفيري", "ckb") == ["driving-licence-first"]
    assert slugs("کارتی بەشە خۆراک", "ckb") == ["ration-card-add-member"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("جوزا سفر", "passport-issue"),  # two letters swapped
        ("pasport", "passport-issue"),  # a letter missing
        ("passprot renewal", "passport-renewal"),
        ("drivng licence", "driving-licence-first"),
        ("lisence", "driving-licence-first"),  # one letter wrong, one missing
        ("جوازسفر", "passport-issue"),  # the space forgotten
    ],
)
def test_forgives_a_typo_or_two(catalogue, query, expected):
    assert slugs(query)[0] == expected


def test_a_typo_that_makes_a_rarer_real_word_still_finds_the_common_one(catalogue, interior):
    ServiceFactory(department=interior, name_ar="خدمة", summary_ar="معلومات عن دول الجوار", popularity=1)
    for number in range(5):
        ServiceFactory(department=interior, name_ar=f"معاملة {number}", summary_ar="تحتاج إلى جواز")
    assert slugs("جوار سفر")[0] == "passport-issue"


def test_name_matches_rank_above_summary_above_guide(interior):
    in_step = ServiceFactory(slug="in-step", department=interior, name_ar="خدمة أولى", popularity=100)
    ServiceStep.objects.create(service=in_step, position=1, location="office", title_ar="زيتون")
    ServiceFactory(slug="in-summary", department=interior, name_ar="خدمة ثانية", summary_ar="زيتون", popularity=50)
    ServiceFactory(slug="in-name", department=interior, name_ar="زيتون", popularity=0)
    search_index_update(service_ids=[in_step.pk])
    assert slugs("زيتون") == ["in-name", "in-summary", "in-step"]


def test_popularity_breaks_ties(interior):
    ServiceFactory(slug="quiet", department=interior, name_ar="شهادة زيتون", popularity=10)
    ServiceFactory(slug="popular", department=interior, name_ar="شهادة زيتون", popularity=90)
    assert slugs("زيتون") == ["popular", "quiet"]


def test_an_exact_phrase_breaks_ties(interior):
    ServiceFactory(slug="scattered", department=interior, name_ar="طلب دراسة منحة", popularity=50)
    ServiceFactory(slug="phrase", department=interior, name_ar="طلب منحة دراسة", popularity=50)
    assert slugs("طلب منحة") == ["phrase", "scattered"]


def test_words_nothing_contains_are_ignored_rather_than_emptying_the_results(catalogue):
    assert slugs("شلون اجدد جواز السفر مالتي بسرعة")[0] == "passport-renewal"


def test_all_the_words_rank_above_some_of_them(catalogue):
    assert slugs("تجديد جواز")[0] == "passport-renewal"
    assert set(slugs("تجديد جواز")) == {"passport-renewal", "passport-issue"}


def test_when_no_service_has_most_of_the_words_any_one_will_do(catalogue):
    assert set(slugs("تجديد تموينية سياقة")) == {"passport-renewal", "ration-card-add-member", "driving-licence-first"}


def test_editors_synonyms_apply_from_the_next_search(catalogue):
    assert slugs("سنوية") == []
    synonym = SearchSynonym.objects.create(term="جنسية", expansion="بطاقة وطنية")
    assert slugs("جنسيه")[0] == "national-id-card"
    synonym.expansion = "جواز سفر"
    synonym.save()
    assert slugs("جنسية")[:2] == ["passport-issue", "passport-renewal"]
    synonym.delete()
    assert slugs("جنسية") == ["national-id-card"]  # its summary mentions شهادة الجنسية


def test_synonyms_of_several_words_and_alternatives(catalogue):
    SearchSynonym.objects.create(term="اجازة سوق", expansion="اجازة سياقة")
    SearchSynonym.objects.create(term="ID", expansion="national card | هوية")
    assert slugs("اجازة السوق") == ["driving-licence-first"]
    assert slugs("ID", "en")[0] == "national-id-card"


def test_a_misspelt_colloquial_word_still_reaches_its_synonym(catalogue):
    SearchSynonym.objects.create(term="باسبورت", expansion="جواز سفر")
    assert slugs("باسبوت")[:2] == ["passport-issue", "passport-renewal"]


def test_only_published_services_are_found(catalogue):
    Service.objects.filter(slug="passport-issue").update(is_published=False)
    assert slugs("جواز") == ["passport-renewal"]


def test_filters_by_department_and_category(catalogue, trade):
    travel = CategoryFactory(slug="travel")
    catalogue["passport-renewal"].categories.add(travel)
    assert slugs("بطاقة", department="trade") == ["ration-card-add-member"]
    assert slugs("جواز", category="travel") == ["passport-renewal"]
    assert slugs("جواز", department="trade") == []


def test_pages_and_counts(interior):
    for number in range(25):
        ServiceFactory(department=interior, name_ar=f"زيتون {number}", popularity=number)
    first = service_search(query="زيتون", language="ar", page_size=10)
    third = service_search(query="زيتون", language="ar", page=3, page_size=10)
    assert (first.count, len(first.results), first.has_next) == (25, 10, True)
    assert (third.count, len(third.results), third.has_next) == (25, 5, False)
    assert first.results[0].name_ar == "زيتون 24"
    assert third.results[-1].name_ar == "زيتون 0"


def test_pages_beyond_the_first_thousand_results_are_empty_not_expensive(catalogue):
    page = service_search(query="جواز", language="ar", page=10**6, page_size=20)
    assert (page.count, page.results) == (2, [])


def test_matching_departments_come_with_the_first_page(catalogue):
    page = service_search(query="الداخلية", language="ar")
    assert [department.slug for department in page.departments] == ["interior"]
    # Equally good matches: in the catalogue's order, then by name in the reader's language.
    assert [department.slug for department in service_search(query="وزارة", language="ar").departments] == [
        "trade",  # وزارة التجارة
        "interior",  # وزارة الداخلية
    ]
    assert service_search(query="الداخلية", language="ar", page=2).departments == []
    assert service_search(query="الداخلية", language="ar", category="travel").departments == []


def test_empty_and_meaningless_queries_find_nothing(catalogue):
    for query in ["", "   ", "؟!", "و", "how to", "زززززززز"]:
        page = service_search(query=query, language="ar")
        assert (page.count, page.results, page.departments) == (0, [], [])


def test_query_syntax_of_either_database_is_just_text(catalogue):
    for query in ['"جواز" OR NOT', "passport' & !renew | (", "NEAR(a b) * ^ :", "a" * 500, "جواز " * 100]:
        service_search(query=query, language="ar")


def test_the_index_follows_edits_and_deletions(catalogue):
    service = catalogue["ration-card-add-member"]
    service.name_ar = "إضافة مولود إلى البطاقة التموينية"
    service.save()
    search_index_update(service_ids=[service.pk])
    search_index_update(service_ids=[service.pk, service.pk])
    assert slugs("مولود") == ["ration-card-add-member"]
    assert slugs("فرد") == []
    assert SearchDocument.objects.filter(pk=service.pk).count() == 1
    service.delete()
    search_index_update(service_ids=[service.pk])
    assert slugs("مولود") == []
    assert not SearchDocument.objects.filter(pk=service.pk).exists()


def test_guides_are_searched_too(catalogue):
    service = catalogue["passport-renewal"]
    ServiceStep.objects.create(service=service, position=1, location="office", title_en="Bring your old passport")
    service.documents.create(position=1, name_ar="صورة شخصية", name_en="A photograph")
    search_index_update(service_ids=[service.pk])
    assert slugs("photograph", "en") == ["passport-renewal"]


def test_search_reindex_rebuilds_the_whole_index(catalogue):
    SearchDocument.objects.all().delete()
    assert slugs("جواز") == []
    call_command("search_reindex", stdout=None)
    assert slugs("جواز")[:2] == ["passport-issue", "passport-renewal"]
    assert SearchDocument.objects.count() == len(catalogue)


def test_importing_a_catalogue_indexes_it(db):
    catalogue_import(
        document={
            "format": "bawaba-catalogue",
            "version": 1,
            "departments": [{"slug": "trade", "kind": "ministry", "name": {"ar": "وزارة التجارة"}}],
            "services": [
                {
                    "slug": "ration-card-transfer",
                    "department": "trade",
                    "name": {
                        "ar": "نقل البطاقة التموينية",
                        "ckb": "گواستنەوەی کارتی بەشە خۆراک",
                        "en": "Move a ration card",
                    },
                    "summary": {"ar": "انقل بطاقتك", "ckb": "کارتەکەت بگوازەوە", "en": "Move your card"},
                }
            ],
            "synonyms": [{"term": "تموينية", "expansion": "بطاقة تموينية"}],
        }
    )
    assert slugs("تموينيه") == ["ration-card-transfer"]


def test_search_page_shows_services_and_departments(client, catalogue):
    html = client.get("/ar/search/", {"q": "الداخلية جواز"}).content.decode()
    assert "تجديد جواز السفر" in html
    html = client.get("/en/search/", {"q": "interior"}).content.decode()
    assert "Ministry of Interior" in html
    assert "/en/departments/interior/" in html


def test_search_page_says_when_nothing_matched(client, catalogue):
    html = client.get("/en/search/", {"q": "zzzzzzzz"}).content.decode()
    assert "No service matched" in html
