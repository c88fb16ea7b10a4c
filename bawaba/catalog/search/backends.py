"""The two ways of finding matching services, chosen by database vendor.

PostgreSQL: the `vector` column (to_tsvector with the 'simple' configuration over pre-analysed terms,
weighted A/B/C for names/summaries/guides) with a GIN index, ts_rank to pick the best few hundred,
and pg_trgm's similarity() between the query and the names. SQLite: an FTS5 table mirroring the term
columns (kept in step by triggers) and bm25. Both answer the same boolean query over the same terms,
so they find the same services; ranking then happens in Python (scoring.py) for both.
"""

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramStrictWordSimilarity
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, QuerySet
from django.db.models.expressions import CombinedExpression, RawSQL
from django.db.models.functions import Greatest

from bawaba.catalog.models import Service
from bawaba.catalog.search.lexicon import Vocabulary
from bawaba.catalog.search.models import SearchDocument
from bawaba.catalog.search.query import Group
from bawaba.catalog.search.scoring import Candidate

LANGUAGES = ("ar", "ckb", "en")
# The FTS5 table and its fts5vocab companions are created by migration 0002 on SQLite.
FTS_MATCHING_IDS = "SELECT rowid FROM catalog_searchdocument_fts WHERE catalog_searchdocument_fts MATCH %s"
# bm25 with column weights: names count most, then summaries, then guides.
FTS_RANKED_IDS = FTS_MATCHING_IDS + " ORDER BY bm25(catalog_searchdocument_fts, 10.0, 4.0, 1.0)"
TERM_COLUMNS = ("name_terms", "summary_terms", "detail_terms")
CANDIDATE_FIELDS = ("service_id", "name_ar", "name_ckb", "name_en", *TERM_COLUMNS, "service__popularity")


class SearchBackend(Protocol):
    def load_vocabulary(self) -> Vocabulary: ...

    def find(
        self,
        group_sets: list[list[Group]],
        *,
        phrase: str,
        department: str | None,
        category: str | None,
        window: int,
    ) -> tuple[int, list[Candidate]]:
        """How many published services match, and the `window` likeliest of them."""
        ...

    def documents_written(self, service_ids: Sequence[int]) -> None: ...

    def index_rebuilt(self) -> None: ...


def match_expression(
    group_sets: list[list[Group]], *, conjunction: str, disjunction: str, quote: Callable[[str], str]
) -> str:
    """(every group satisfied) for each set of groups, any set: the same boolean query in either dialect."""

    def any_of(parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else "(" + f" {disjunction} ".join(parts) + ")"

    def all_of(parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else "(" + f" {conjunction} ".join(parts) + ")"

    return any_of(
        [
            all_of(
                [
                    any_of(
                        [
                            all_of([any_of([quote(term) for term, _ in word.variants]) for word in alternative.words])
                            for alternative in group.alternatives
                        ]
                    )
                    for group in groups
                ]
            )
            for groups in group_sets
        ]
    )


def _filtered(queryset: QuerySet[Any], prefix: str, department: str | None, category: str | None) -> QuerySet[Any]:
    if department:
        queryset = queryset.filter(**{f"{prefix}department__slug": department})
    if category:
        queryset = queryset.filter(**{f"{prefix}categories__slug": category})
    return queryset


def _candidate(row: Sequence[Any], trigram: float | None = None) -> Candidate:
    service_id, name_ar, name_ckb, name_en, name_terms, summary_terms, detail_terms, popularity = row[:8]
    return Candidate(
        id=service_id,
        names=(name_ar, name_ckb, name_en),
        tier_texts=(name_terms, summary_terms, detail_terms),
        popularity=popularity,
        trigram=trigram,
    )


class SqliteBackend:
    """FTS5 over the index table; the embedded default."""

    def __init__(self, wrapper: BaseDatabaseWrapper) -> None:
        self.connection = wrapper

    def load_vocabulary(self) -> Vocabulary:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT term, doc FROM catalog_searchdocument_fts_terms")
            frequencies = dict(cursor.fetchall())
            cursor.execute(
                "SELECT term, col FROM catalog_searchdocument_fts_column_terms WHERE col IN (%s, %s)", TERM_COLUMNS[:2]
            )
            by_column = cursor.fetchall()
        return Vocabulary(
            document_count=SearchDocument.objects.count(),
            document_frequency=frequencies,
            spellable_terms=frozenset(term for term, _column in by_column),
            name_terms=frozenset(term for term, column in by_column if column == TERM_COLUMNS[0]),
        )

    def find(
        self,
        group_sets: list[list[Group]],
        *,
        phrase: str,
        department: str | None,
        category: str | None,
        window: int,
    ) -> tuple[int, list[Candidate]]:
        expression = match_expression(group_sets, conjunction="AND", disjunction="OR", quote=lambda t: f'"{t}"')
        matching = RawSQL(FTS_MATCHING_IDS, (expression,))  # noqa: S611 - the expression is a parameter
        services = _filtered(Service.objects.filter(is_published=True, pk__in=matching), "", department, category)
        ids = list(services.values_list("pk", flat=True))
        count = len(ids)
        if count > window:
            # Too many to rank them all in Python: keep the best by bm25, names weighing most.
            allowed = set(ids)
            with self.connection.cursor() as cursor:
                cursor.execute(FTS_RANKED_IDS, (expression,))
                ids = [row[0] for row in cursor.fetchall() if row[0] in allowed][:window]
        rows = SearchDocument.objects.filter(pk__in=ids).values_list(*CANDIDATE_FIELDS)
        by_id = {row[0]: _candidate(row) for row in rows}
        return count, [by_id[i] for i in ids if i in by_id]

    def documents_written(self, service_ids: Sequence[int]) -> None:
        """Nothing to do: triggers copy every change of the index table into the FTS5 table."""

    def index_rebuilt(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("INSERT INTO catalog_searchdocument_fts(catalog_searchdocument_fts) VALUES ('rebuild')")
            cursor.execute("INSERT INTO catalog_searchdocument_fts(catalog_searchdocument_fts) VALUES ('optimize')")


def document_vector() -> CombinedExpression:
    weighted = [
        SearchVector(column, weight=weight, config="simple") for column, weight in zip(TERM_COLUMNS, "ABC", strict=True)
    ]
    return weighted[0] + weighted[1] + weighted[2]


class PostgresBackend:
    """tsvector with GIN, ts_rank and pg_trgm; production."""

    # ts_rank's weights are given for D, C, B, A.
    RANK_WEIGHTS = [0.0, 0.1, 0.4, 1.0]

    def __init__(self, wrapper: BaseDatabaseWrapper) -> None:
        self.connection = wrapper

    def load_vocabulary(self) -> Vocabulary:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT word, ndoc FROM ts_stat('SELECT vector FROM catalog_searchdocument')")
            frequencies = dict(cursor.fetchall())
            cursor.execute("SELECT word FROM ts_stat('SELECT vector FROM catalog_searchdocument', 'AB')")
            spellable = frozenset(row[0] for row in cursor.fetchall())
            cursor.execute("SELECT word FROM ts_stat('SELECT vector FROM catalog_searchdocument', 'A')")
            names = frozenset(row[0] for row in cursor.fetchall())
        return Vocabulary(
            document_count=SearchDocument.objects.count(),
            document_frequency=frequencies,
            spellable_terms=spellable,
            name_terms=names,
        )

    def _trigrams_work(self) -> bool:
        """pg_trgm only sees Arabic letters as word characters in a database with a UTF-8 locale (not "C")."""
        key = self.connection.settings_dict.get("NAME") or ""
        if key not in _TRIGRAM_SUPPORT:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT array_length(show_trgm('جواز'), 1)")
                _TRIGRAM_SUPPORT[key] = bool(cursor.fetchone()[0])
        return _TRIGRAM_SUPPORT[key]

    def find(
        self,
        group_sets: list[list[Group]],
        *,
        phrase: str,
        department: str | None,
        category: str | None,
        window: int,
    ) -> tuple[int, list[Candidate]]:
        expression = match_expression(group_sets, conjunction="&", disjunction="|", quote=lambda t: f"'{t}'")
        query = SearchQuery(expression, search_type="raw", config="simple")
        documents = _filtered(
            SearchDocument.objects.filter(vector=query, service__is_published=True), "service__", department, category
        )
        ranked = documents.annotate(rank=SearchRank(F("vector"), query, weights=self.RANK_WEIGHTS))
        fields: tuple[str, ...] = CANDIDATE_FIELDS
        has_trigrams = self._trigrams_work()
        if has_trigrams:
            ranked = ranked.annotate(
                trigram=Greatest(*(TrigramStrictWordSimilarity(phrase, f"name_{language}") for language in LANGUAGES))
            )
            fields = (*fields, "trigram")
        rows = list(ranked.order_by("-rank", "pk").values_list(*fields)[: window + 1])
        count = len(rows) if len(rows) <= window else documents.count()
        return count, [_candidate(row, float(row[8]) if has_trigrams else None) for row in rows[:window]]

    def documents_written(self, service_ids: Sequence[int]) -> None:
        SearchDocument.objects.filter(pk__in=service_ids).update(vector=document_vector())

    def index_rebuilt(self) -> None:
        """Nothing to do: vectors are written with their documents."""


_TRIGRAM_SUPPORT: dict[str, bool] = {}


def backend_for(wrapper: BaseDatabaseWrapper | None = None) -> SearchBackend:
    wrapper = wrapper or connection
    if wrapper.vendor == "postgresql":
        return PostgresBackend(wrapper)
    if wrapper.vendor == "sqlite":
        return SqliteBackend(wrapper)
    raise ImproperlyConfigured(f"Service search supports PostgreSQL and SQLite, not {wrapper.vendor}.")
