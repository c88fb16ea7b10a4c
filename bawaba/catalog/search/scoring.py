"""Ranking, the same on every database: the database finds the services that match, Python orders them.

A service scores for each group of the query by where it matches best: its name counts most, then
its summary (and categories), then the rest of its guide; a misspelt or completed word counts less
than an exact one, rarer words more than common ones. Smaller signals order services that match
equally well: the query appearing in a name as a phrase, the trigram similarity of the query to the
best run of words of a name (which forgives typos the term match did not), and popularity.

Rewarding short names (how much of a name the query covers) was tried and dropped: it put
"renew a passport" above "get a passport" for "passport", against what people want most often.

Where a service exists both from a federal ministry and from a Kurdistan Region ministry, the one of
the region the search is about (region.py: named in the query, else by reading language) comes
first: a service of the other region loses a share of its score, but only to services of the
preferred region that match every word group it matches. A query naming the other region, or a
service only one region offers, is therefore never pushed down by it.
"""

from collections.abc import Sequence
from functools import lru_cache

from bawaba.catalog.search.query import Group, QueryPlan

NAME, SUMMARY, DETAILS = 0, 1, 2
TIER_WEIGHTS = (3.0, 1.2, 0.4)
PHRASE_WEIGHT = 0.5
TRIGRAM_WEIGHT = 0.4
# At most 0.6: enough to order services that match equally well, never enough to lift a match in a
# summary (1.2 a word) over a match in a name (3.0 a word).
POPULARITY_WEIGHT = 0.6
# The share of its score a service of the other region keeps. The two versions of a service are worded
# differently ("دفع فاتورة" / "تسديد قائمة"), so a query's wording can favour either by a whole name
# word; this has to outweigh that, and the coverage rule above keeps it from doing more.
OTHER_REGION_FACTOR = 0.65


class Candidate:
    """A matching record as ranking sees it (a service, or a department).

    Its terms arrive as the space-separated strings the index stores, and are looked up in them as
    " term " substrings: a guide has hundreds of terms, and splitting them into sets cost more than
    the few lookups a query needs.
    """

    __slots__ = ("_texts", "id", "names", "popularity", "regional", "trigram")

    def __init__(
        self,
        *,
        id: int,
        names: tuple[str, ...],
        tier_texts: tuple[str, str, str],
        popularity: int = 0,
        trigram: float | None = None,
        regional: bool = False,
    ) -> None:
        self.id = id
        self.regional = regional  # offered by a Kurdistan Region ministry
        self.names = names  # normalised, one per language
        self.popularity = popularity
        self.trigram = trigram  # from the database when it can compute it; otherwise computed here
        self._texts = tuple(f" {text} " for text in tier_texts)

    def best(self, variants: Sequence[tuple[str, float]]) -> float:
        """The best (factor × tier weight) of a word's variants here; 0 if none is here.

        Tiers are tried best first and the search stops at the first that has a variant: a factor is at
        least 0.6, so no lower tier could do better (0.6 × 3.0 > 1.2, 0.6 × 1.2 > 0.4).
        """
        for text, weight in zip(self._texts, TIER_WEIGHTS, strict=True):
            found = [factor for term, factor in variants if f" {term} " in text]
            if found:
                return max(found) * weight
        return 0.0


@lru_cache(maxsize=65536)
def _word_trigrams(word: str) -> frozenset[str]:
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def trigrams(text: str) -> frozenset[str]:
    """Trigrams of a normalised text as PostgreSQL's pg_trgm forms them: each word padded "  word "."""
    return frozenset().union(*(_word_trigrams(word) for word in text.split()))


def strict_word_similarity(query: str | frozenset[str], text: str) -> float:
    """pg_trgm's strict_word_similarity(): the best similarity of `query` to a run of whole words of `text`.

    Unlike similarity(), a long name that contains the query scores as well as a short one. Runs are
    only tried from and to words sharing a trigram with the query: other words at either end can only
    add to the union, so the best run never has them.
    """
    wanted = trigrams(query) if isinstance(query, str) else query
    words = [_word_trigrams(word) for word in text.split()]
    useful = [index for index, word in enumerate(words) if not wanted.isdisjoint(word)]
    best = 0.0
    for position, start in enumerate(useful):
        extent: set[str] = set()
        previous = start
        for stop in useful[position:]:
            for word in words[previous : stop + 1]:
                extent |= word
            previous = stop + 1
            shared = len(wanted & extent)
            best = max(best, shared / (len(wanted) + len(extent) - shared))
    return best


def _group_score(group: Group, candidate: Candidate) -> float:
    best = 0.0
    for alternative in group.alternatives:
        total = 0.0
        for word in alternative.words:
            total += candidate.best(word.variants)
        best = max(best, alternative.factor * total / len(alternative.words))
    return best * group.weight


def score(plan: QueryPlan, candidate: Candidate, phrase_trigrams: frozenset[str] | None = None) -> float:
    return _scored(plan, candidate, phrase_trigrams)[0]


def _scored(plan: QueryPlan, candidate: Candidate, phrase_trigrams: frozenset[str] | None) -> tuple[float, int]:
    """The score, and which groups of the query the candidate matches (bit i for group i)."""
    group_scores = [_group_score(group, candidate) for group in plan.groups]
    total = sum(group_scores)
    matched = sum(1 << index for index, value in enumerate(group_scores) if value)
    if not total:
        return 0.0, 0
    phrase = f" {plan.phrase} "
    has_phrase = " " in plan.phrase and any(phrase in f" {name} " for name in candidate.names)
    similarity = (
        candidate.trigram
        if candidate.trigram is not None
        else max(
            (strict_word_similarity(phrase_trigrams or plan.phrase, name) for name in candidate.names), default=0.0
        )
    )
    return (
        total
        + PHRASE_WEIGHT * has_phrase
        + TRIGRAM_WEIGHT * similarity
        + POPULARITY_WEIGHT * min(candidate.popularity, 100) / 100
    ), matched


def rank(
    plan: QueryPlan, candidates: Sequence[Candidate], *, prefer_regional: bool | None = None
) -> list[tuple[float, Candidate]]:
    """Candidates with their scores, best first; equal scores by popularity, then oldest first.

    With `prefer_regional` (True: Kurdistan Region services, False: federal ones), a service of the
    other region keeps OTHER_REGION_FACTOR of its score when one of the preferred region matches every
    group it matches.
    """
    phrase_trigrams = trigrams(plan.phrase)
    scored = [(*_scored(plan, candidate, phrase_trigrams), candidate) for candidate in candidates]
    if prefer_regional is not None:
        preferred_coverage = [matched for _, matched, candidate in scored if candidate.regional == prefer_regional]
        scored = [
            (
                value * OTHER_REGION_FACTOR
                if candidate.regional != prefer_regional
                and any(matched & covered == matched for covered in preferred_coverage)
                else value,
                matched,
                candidate,
            )
            for value, matched, candidate in scored
        ]
    ranked = [(value, candidate) for value, _matched, candidate in scored]
    return sorted(ranked, key=lambda pair: (-pair[0], -pair[1].popularity, pair[1].id))
