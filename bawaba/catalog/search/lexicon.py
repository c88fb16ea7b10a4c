"""What search knows about the words in the catalogue: terms and how common they are, editors' synonyms,
departments, and a spelling index for typos. Built from the database, kept per process, and rebuilt
when any source changes.

Every search first reads a cheap "stamp" (row counts and latest change times of the index, the synonyms
and the departments) in one query; an editor's change to a synonym therefore shows in the very next
search in every process, without a restart or a cache to clear.
"""

import bisect
import datetime
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

from django.db import connection

from bawaba.catalog.models import Department, SearchSynonym
from bawaba.catalog.search.analysis import terms_of
from bawaba.catalog.search.models import SearchDocument
from bawaba.core.text import light_stem, normalize_text

FUZZY_MINIMUM_LENGTH = 4  # shorter words have too many neighbours one typo away
TWO_TYPOS_MINIMUM_LENGTH = 8
ALTERNATIVE_SEPARATORS = ("|", ",", "،", "؛", ";")


def allowed_typos(term: str) -> int:
    if len(term) >= TWO_TYPOS_MINIMUM_LENGTH:
        return 2
    if len(term) >= FUZZY_MINIMUM_LENGTH:
        return 1
    return 0


def edit_distance(first: str, second: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one typo); `limit + 1` once above `limit`."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(second) + 1))
    for i, first_character in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, second_character in enumerate(second, start=1):
            cost = 0 if first_character == second_character else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and first_character == second[j - 2] and first[i - 2] == second_character:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        # A swap reaches back two rows, so stop only when both rows are past the limit.
        if min(current) > limit and min(previous) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return min(previous[-1], limit + 1)


def _deletions(term: str, depth: int) -> set[str]:
    found = {term}
    for count in range(1, depth + 1):
        for positions in combinations(range(len(term)), count):
            found.add("".join(c for i, c in enumerate(term) if i not in positions))
    return found


class SpellingIndex:
    """Finds known terms within one or two typos of a word (symmetric deletion, as in SymSpell).

    Every term is filed under itself and its one-letter deletions; long `thorough_terms` (names) also
    under their two-letter deletions, so two typos of any kind are found in them. For other long terms
    two typos are found when at most one of them removed or replaced a letter.
    """

    def __init__(self, terms: Iterable[str], thorough_terms: Iterable[str] = ()) -> None:
        self._by_deletion: dict[str, list[str]] = {}
        thorough = {term for term in thorough_terms if len(term) >= TWO_TYPOS_MINIMUM_LENGTH}
        for term in set(terms) | thorough:
            if len(term) >= FUZZY_MINIMUM_LENGTH - 1:
                for key in _deletions(term, 2 if term in thorough else 1):
                    self._by_deletion.setdefault(key, []).append(term)

    def near(self, word: str) -> list[tuple[str, int]]:
        """Known terms near `word` with their distance, closest first. One typo is always found; two, mostly."""
        limit = allowed_typos(word)
        if not limit:
            return []
        candidates: set[str] = set()
        for key in _deletions(word, limit):
            candidates.update(self._by_deletion.get(key, ()))
        candidates.discard(word)
        scored = [(term, edit_distance(word, term, limit)) for term in candidates]
        return sorted(
            ((t, distance) for t, distance in scored if distance <= limit), key=lambda pair: (pair[1], pair[0])
        )


@dataclass(frozen=True)
class DepartmentEntry:
    id: int
    slug: str
    names: tuple[str, ...]  # normalised, per language
    name_terms: frozenset[str]
    description_terms: frozenset[str]
    ordering: int

    @property
    def name_text(self) -> str:
        return " ".join(self.name_terms)

    @property
    def description_text(self) -> str:
        return " ".join(self.description_terms)


@dataclass(frozen=True)
class Vocabulary:
    """The terms of the service index; `document_frequency[term]` is how many services contain it."""

    document_count: int
    document_frequency: dict[str, int]
    spellable_terms: frozenset[str]  # terms of names and summaries, worth correcting a typo towards
    name_terms: frozenset[str]


@dataclass
class Lexicon:
    vocabulary: Vocabulary
    synonyms: dict[tuple[str, ...], list[tuple[str, ...]]]
    departments: list[DepartmentEntry]
    known_terms: frozenset[str] = field(init=False)
    sorted_terms: list[str] = field(init=False)
    spelling: SpellingIndex = field(init=False)
    longest_synonym: int = field(init=False)

    def __post_init__(self) -> None:
        synonym_terms = {term for key in self.synonyms for term in key}
        department_terms = {t for entry in self.departments for t in entry.name_terms | entry.description_terms}
        self.known_terms = frozenset(self.vocabulary.document_frequency) | synonym_terms | department_terms
        self.sorted_terms = sorted(self.vocabulary.document_frequency)
        self.spelling = SpellingIndex(
            self.vocabulary.spellable_terms
            | {key[0] for key in self.synonyms if len(key) == 1}
            | {t for entry in self.departments for t in entry.name_terms},
            thorough_terms=self.vocabulary.name_terms,
        )
        self.longest_synonym = max((len(key) for key in self.synonyms), default=0)

    def frequency(self, term: str) -> int:
        return self.vocabulary.document_frequency.get(term, 0)

    def completions(self, prefix: str, limit: int) -> list[str]:
        """The commonest indexed terms that start with `prefix` (and are longer)."""
        start = bisect.bisect_right(self.sorted_terms, prefix)
        found: list[str] = []
        for term in self.sorted_terms[start:]:
            if not term.startswith(prefix):
                break
            found.append(term)
        found.sort(key=lambda term: (-self.frequency(term), term))
        return found[:limit]


def synonym_key(term: str) -> tuple[str, ...]:
    """How a synonym's term is matched against the words of a query: normalised, stemmed, stopwords kept."""
    return tuple(light_stem(word) for word in normalize_text(term).split())


def synonym_expansions(expansion: str) -> list[tuple[str, ...]]:
    """An expansion is words to search for together; '|' or commas separate alternatives."""
    for separator in ALTERNATIVE_SEPARATORS[1:]:
        expansion = expansion.replace(separator, ALTERNATIVE_SEPARATORS[0])
    alternatives = (tuple(terms_of([part])) for part in expansion.split(ALTERNATIVE_SEPARATORS[0]))
    return [alternative for alternative in alternatives if alternative]


def _load_synonyms() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    synonyms: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for term, expansion in SearchSynonym.objects.values_list("term", "expansion").order_by("pk"):
        key = synonym_key(term)
        if not key:
            continue
        alternatives = synonyms.setdefault(key, [])
        for alternative in synonym_expansions(expansion):
            if alternative != key and alternative not in alternatives:
                alternatives.append(alternative)
    return {key: alternatives for key, alternatives in synonyms.items() if alternatives}


def _load_departments() -> list[DepartmentEntry]:
    entries = []
    for department in Department.objects.filter(is_published=True).only(
        "id", "slug", "ordering", *(f"{f}_{lang}" for f in ("name", "description") for lang in ("ar", "ckb", "en"))
    ):
        names = tuple(normalize_text(getattr(department, f"name_{lang}")) for lang in ("ar", "ckb", "en"))
        entries.append(
            DepartmentEntry(
                id=department.pk,
                slug=department.slug,
                names=names,
                name_terms=frozenset(terms_of(names)),
                description_terms=frozenset(
                    terms_of(getattr(department, f"description_{lang}") for lang in ("ar", "ckb", "en"))
                ),
                ordering=department.ordering,
            )
        )
    return entries


Stamp = tuple[object, ...]


def current_stamps() -> tuple[Stamp, Stamp, Stamp]:
    """Counts and latest changes of the index, the synonyms and the departments, in one round trip."""
    parts = []
    for model, changed in ((SearchDocument, "indexed_at"), (SearchSynonym, "updated_at"), (Department, "updated_at")):
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(changed)
        # Table and column names come from model metadata, never from input.
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT MAX({column}) FROM {table})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    values = [_comparable(value) for value in row]
    return (values[0], values[1]), (values[2], values[3]), (values[4], values[5])


def _comparable(value: object) -> object:
    # SQLite returns timestamps as text, PostgreSQL as datetimes; either compares for equality.
    return value.isoformat() if isinstance(value, datetime.datetime) else value


class LexiconCache:
    """One Lexicon per process and database, rebuilt when a stamp changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[tuple[Stamp, Stamp, Stamp], Lexicon]] = {}

    def get(self, load_vocabulary: Callable[[], Vocabulary]) -> Lexicon:
        stamps = current_stamps()
        key = connection.settings_dict.get("NAME") or ""
        key = f"{connection.vendor}:{key}"
        cached = self._entries.get(key)
        if cached and cached[0] == stamps:
            return cached[1]
        with self._lock:
            cached = self._entries.get(key)
            if cached and cached[0] == stamps:
                return cached[1]
            previous = cached[1] if cached else None
            previous_stamps = cached[0] if cached else None
            vocabulary = (
                previous.vocabulary
                if previous and previous_stamps and previous_stamps[0] == stamps[0]
                else load_vocabulary()
            )
            synonyms = (
                previous.synonyms
                if previous and previous_stamps and previous_stamps[1] == stamps[1]
                else _load_synonyms()
            )
            departments = (
                previous.departments
                if previous and previous_stamps and previous_stamps[2] == stamps[2]
                else _load_departments()
            )
            lexicon = Lexicon(vocabulary=vocabulary, synonyms=synonyms, departments=departments)
            self._entries[key] = (stamps, lexicon)
            return lexicon

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


lexicon_cache = LexiconCache()
