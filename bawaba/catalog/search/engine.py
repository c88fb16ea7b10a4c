"""Service search: analyse the query, let the database find matches, rank them, read one page.

`service_search` is what the search page and the JSON API call; `search_index_update` (indexing.py)
is what editing and importing call. See docs/decisions/0003-search-engine.md.
"""

from bawaba.catalog.models import Department, Service
from bawaba.catalog.search.backends import backend_for
from bawaba.catalog.search.lexicon import Lexicon, lexicon_cache
from bawaba.catalog.search.query import QueryPlan, plan_query
from bawaba.catalog.search.region import prefers_kurdistan_region
from bawaba.catalog.search.scoring import Candidate, rank
from bawaba.catalog.selectors import SearchPage
from bawaba.core.i18n import CONTENT_LANGUAGES as LANGUAGES

RANKING_WINDOW = 200  # matches ranked in Python; when more match, SQL picks these by names and popularity
MAX_PAGE_SIZE = 100
MAX_RANKED = 1000
DEPARTMENT_LIMIT = 5
ENOUGH_RESULTS = 5  # fewer matches than this for all the words, and the search widens


def service_search(
    *,
    query: str,
    language: str,
    department: str | None = None,
    category: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> SearchPage:
    """Published services matching `query` (any of the three languages), best first, and matching departments.

    `department` and `category` are slugs that narrow the services. Departments are suggested on the
    first page of an unfiltered search only.
    """
    page = max(1, page)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    backend = backend_for()
    lexicon = lexicon_cache.get(backend.load_vocabulary)
    plan = plan_query(query, lexicon)
    if not plan.groups:
        return SearchPage(count=0, results=[], page=page, page_size=page_size)
    # Deep pages cost a ranking of everything before them; nobody reads past the first thousand.
    window = min(max(RANKING_WINDOW, page * page_size), MAX_RANKED)
    count, candidates = 0, list[Candidate]()
    # All the words first; if few services have them all, widen (services with fewer rank lower).
    for group_sets in plan.widening():
        count, candidates = backend.find(
            group_sets, phrase=plan.phrase, department=department, category=category, window=window
        )
        if count >= ENOUGH_RESULTS:
            break
    ranked = rank(plan, candidates, prefer_regional=prefers_kurdistan_region(query=query, language=language))
    page_ids = [candidate.id for _score, candidate in ranked[(page - 1) * page_size : page * page_size]]
    services = Service.objects.select_related("department").in_bulk(page_ids)
    departments = [] if page > 1 or department or category else _departments(plan, lexicon, language)
    return SearchPage(
        count=count,
        results=[services[pk] for pk in page_ids if pk in services],
        page=page,
        page_size=page_size,
        departments=departments,
    )


def _departments(plan: QueryPlan, lexicon: Lexicon, language: str) -> list[Department]:
    """Published departments whose name or description has every group of the query, best first."""
    language_index = LANGUAGES.index(language) if language in LANGUAGES else 0
    entries = {}
    candidates = []
    for entry in lexicon.departments:
        terms = entry.name_terms | entry.description_terms
        if all(
            any(all(any(t in terms for t, _ in word.variants) for word in alt.words) for alt in group.alternatives)
            for group in plan.groups
        ):
            entries[entry.id] = entry
            candidates.append(
                Candidate(id=entry.id, names=entry.names, tier_texts=(entry.name_text, entry.description_text, ""))
            )
    # Equal scores ("وزارة" names them all) fall back to the catalogue's order, then the name as read.
    scored = sorted(
        rank(plan, candidates),
        key=lambda pair: (
            -round(pair[0], 6),
            entries[pair[1].id].ordering,
            entries[pair[1].id].names[language_index],
        ),
    )
    best = [candidate.id for _score, candidate in scored[:DEPARTMENT_LIMIT]]
    found = Department.objects.in_bulk(best)
    return [found[pk] for pk in best if pk in found]
