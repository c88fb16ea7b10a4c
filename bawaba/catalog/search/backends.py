"""The two ways of finding matching services, chosen by database vendor.

PostgreSQL: the `vector` column (to_tsvector with the 'simple' configuration over pre-analysed terms,
weighted A/B/C for names/summaries/guides) with a GIN index, and pg_trgm's strict_word_similarity()
between the query and the names. SQLite: an FTS5 table mirroring the term columns, kept in step by
triggers. Both answer the same boolean query over the same terms, so they find the same services.

When more services match than Python ranks (a window of a few hundred), the same SQL expression on
both databases picks the window — the query groups found in the service's names, then popularity —
and the same pass counts all the matches (COUNT(*) OVER ()). It reads only the short name column:
ts_rank or bm25 read every matching guide, and looking in the summaries too tripled the time; either
made broad searches ("البطاقة", "certificate") slow at 10,000 services. Ranking within the window
then happens in Python (scoring.py), the same for both.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramStrictWordSimilarity
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, Count, F, FloatField, Q, QuerySet, TextField, Value, When, Window
from django.db.models.expressions import CombinedExpression, RawSQL
from django.db.models.functions import Concat, Greatest

from bawaba.catalog.models import DepartmentKind
from bawaba.catalog.search.lexicon import Vocabulary
from bawaba.catalog.search.models import SearchDocument
from bawaba.catalog.search.query import Group
from bawaba.catalog.search.scoring import Candidate

LANGUAGES = ("ar", "ckb", "en")
# The FTS5 table and its fts5vocab companions are created by migration 0002 on SQLite.
FTS_MATCHING_IDS = "SELECT rowid FROM catalog_searchdocument_fts WHERE catalog_searchdocument_fts MATCH %s"
TERM_COLUMNS = ("name_terms", "summary_terms", "detail_terms")
CANDIDATE_FIELDS = (
    "service_id",
    "name_ar",
    "name_ckb",
    "name_en",
    *TERM_COLUMNS,
    "service__popularity",
    "service__department__kind",
)


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


def _window_score(groups: list[Group]) -> Case | CombinedExpression | Value:
    """SQL for roughly how well a document matches: the weight of the query groups its names have."""
    total: Case | CombinedExpression | Value = Value(0.0)
    for group in groups:
        names = Q()
        for term in sorted(set(group.terms())):
            names |= Q(padded_names__contains=f" {term} ")
        total = total + Case(When(names, then=Value(group.weight)), default=Value(0.0), output_field=FloatField())
    return total


def _candidate(row: Sequence[Any], trigram: float | None = None) -> Candidate:
    service_id, name_ar, name_ckb, name_en, name_terms, summary_terms, detail_terms, popularity, kind = row[:9]
    return Candidate(
        id=service_id,
        names=(name_ar, name_ckb, name_en),
        tier_texts=(name_terms, summary_terms, detail_terms),
        popularity=popularity,
        trigram=trigram,
        regional=kind == DepartmentKind.REGIONAL_MINISTRY,
    )


class SearchBackend(ABC):
    """What differs between databases; `find` is shared."""

    def __init__(self, wrapper: BaseDatabaseWrapper) -> None:
        self.connection = wrapper

    @abstractmethod
    def load_vocabulary(self) -> Vocabulary:
        """Every indexed term with how many documents hold it, for typo correction and splitting."""

    @abstractmethod
    def matching(self, group_sets: list[list[Group]]) -> Q:
        """A filter on SearchDocument: documents satisfying every group of at least one set."""

    def with_trigrams(self, documents: QuerySet[Any], phrase: str) -> tuple[QuerySet[Any], bool]:
        """Documents annotated with `trigram`, if the database computes it (else ranking does)."""
        return documents, False

    @abstractmethod
    def documents_written(self, service_ids: Sequence[int]) -> None:
        """Bring the database's own index (FTS5 / tsvector) up to date for these documents."""

    @abstractmethod
    def index_rebuilt(self) -> None:
        """Refresh whatever the database keeps beside the documents after a full rebuild."""

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
        documents = SearchDocument.objects.filter(
            self.matching(group_sets), service__is_published=True, service__department__is_published=True
        )
        if department:
            documents = documents.filter(service__department__slug=department)
        if category:
            documents = documents.filter(service__categories__slug=category)
        # One pass over the matches picks the window and counts them all.
        groups = list({id(group): group for groups in group_sets for group in groups}.values())
        ranked = list(
            documents.annotate(padded_names=Concat(Value(" "), F("name_terms"), Value(" "), output_field=TextField()))
            .annotate(window_score=_window_score(groups), total=Window(Count("pk")))
            .order_by("-window_score", "-service__popularity", "pk")
            .values_list("pk", "total")[:window]
        )
        ids = [pk for pk, _total in ranked]
        count = ranked[0][1] if ranked else 0
        documents = SearchDocument.objects.filter(pk__in=ids)
        rows, has_trigrams = self.with_trigrams(documents, phrase)
        fields = (*CANDIDATE_FIELDS, "trigram") if has_trigrams else CANDIDATE_FIELDS
        candidates = [_candidate(row, float(row[9]) if has_trigrams else None) for row in rows.values_list(*fields)]
        return count, candidates


class SqliteBackend(SearchBackend):
    """FTS5 over the index table; the embedded default."""

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

    def matching(self, group_sets: list[list[Group]]) -> Q:
        expression = match_expression(group_sets, conjunction="AND", disjunction="OR", quote=lambda t: f'"{t}"')
        return Q(pk__in=RawSQL(FTS_MATCHING_IDS, (expression,)))  # noqa: S611 - the expression is a parameter

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


class PostgresBackend(SearchBackend):
    """tsvector with GIN and pg_trgm; production."""

    def load_vocabulary(self) -> Vocabulary:
        with self.connection.cursor() as cursor:
            # One pass over the vectors for document frequencies; the name and summary columns are short.
            cursor.execute("SELECT word, ndoc FROM ts_stat('SELECT vector FROM catalog_searchdocument')")
            frequencies = dict(cursor.fetchall())
            cursor.execute("SELECT DISTINCT unnest(string_to_array(name_terms, ' ')) FROM catalog_searchdocument")
            names = {row[0] for row in cursor.fetchall() if row[0]}
            cursor.execute("SELECT DISTINCT unnest(string_to_array(summary_terms, ' ')) FROM catalog_searchdocument")
            spellable = {row[0] for row in cursor.fetchall() if row[0]}
        return Vocabulary(
            document_count=SearchDocument.objects.count(),
            document_frequency=frequencies,
            spellable_terms=frozenset(spellable | names),
            name_terms=frozenset(names),
        )

    def matching(self, group_sets: list[list[Group]]) -> Q:
        expression = match_expression(group_sets, conjunction="&", disjunction="|", quote=lambda t: f"'{t}'")
        return Q(vector=SearchQuery(expression, search_type="raw", config="simple"))

    def with_trigrams(self, documents: QuerySet[Any], phrase: str) -> tuple[QuerySet[Any], bool]:
        if not self._trigrams_work():
            return documents, False
        similarity = Greatest(*(TrigramStrictWordSimilarity(phrase, f"name_{language}") for language in LANGUAGES))
        return documents.annotate(trigram=similarity), True

    def _trigrams_work(self) -> bool:
        """pg_trgm only sees Arabic letters as word characters in a database with a UTF-8 locale (not "C")."""
        key = self.connection.settings_dict.get("NAME") or ""
        if key not in _TRIGRAM_SUPPORT:
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT array_length(show_trgm('جواز'), 1)")
                _TRIGRAM_SUPPORT[key] = bool(cursor.fetchone()[0])
        return _TRIGRAM_SUPPORT[key]

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
