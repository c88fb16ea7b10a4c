"""Ranking, the same on every database: the database finds the services that match, Python orders them.

A service scores for each group of the query by where it matches best: its name counts most, then
its summary (and categories), then the rest of its guide; a misspelt or completed word counts less
than an exact one, rarer words more than common ones. Smaller signals order services that match
equally well: the query appearing in a name as a phrase, the trigram similarity of the query to the
best run of words of a name (which forgives typos the term match did not), and popularity.

Rewarding short names (how much of a name the query covers) was tried and dropped: it put
"renew a passport" above "get a passport" for "passport", against what people want most often.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from bawaba.catalog.search.query import Group, QueryPlan

NAME, SUMMARY, DETAILS = 0, 1, 2
TIER_WEIGHTS = (3.0, 1.2, 0.4)
PHRASE_WEIGHT = 0.5
TRIGRAM_WEIGHT = 0.4
# At most 0.6: enough to order services that match equally well, never enough to lift a match in a
# summary (1.2 a word) over a match in a name (3.0 a word).
POPULARITY_WEIGHT = 0.6


@dataclass(frozen=True)
class Candidate:
    """A matching record as ranking sees it (a service, or a department)."""

    id: int
    names: tuple[str, ...]  # normalised, one per language
    tiers: tuple[frozenset[str], frozenset[str], frozenset[str]]
    popularity: int = 0
    trigram: float | None = None  # from the database when it can compute it; otherwise computed here


def _word_trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigrams(text: str) -> set[str]:
    """Trigrams of a normalised text as PostgreSQL's pg_trgm forms them: each word padded "  word "."""
    found: set[str] = set()
    for word in text.split():
        found |= _word_trigrams(word)
    return found


def strict_word_similarity(query: str, text: str) -> float:
    """pg_trgm's strict_word_similarity(): the best similarity of `query` to a run of whole words of `text`.

    Unlike similarity(), a long name that contains the query scores as well as a short one.
    """
    wanted = trigrams(query)
    words = [_word_trigrams(word) for word in text.split()]
    best = 0.0
    for start in range(len(words)):
        extent: set[str] = set()
        for word in words[start:]:
            extent |= word
            shared = len(wanted & extent)
            best = max(best, shared / (len(wanted) + len(extent) - shared))
    return best


def _group_score(group: Group, tiers: Sequence[frozenset[str]]) -> float:
    best = 0.0
    for alternative in group.alternatives:
        total = 0.0
        for word in alternative.words:
            found = 0.0
            for term, factor in word.variants:
                for weight, tier in zip(TIER_WEIGHTS, tiers, strict=True):
                    if term in tier:
                        found = max(found, factor * weight)
                        break
            total += found
        best = max(best, alternative.factor * total / len(alternative.words))
    return best * group.weight


def score(plan: QueryPlan, candidate: Candidate) -> float:
    total = sum(_group_score(group, candidate.tiers) for group in plan.groups)
    if not total:
        return 0.0
    phrase = f" {plan.phrase} "
    has_phrase = " " in plan.phrase and any(phrase in f" {name} " for name in candidate.names)
    similarity = (
        candidate.trigram
        if candidate.trigram is not None
        else max((strict_word_similarity(plan.phrase, name) for name in candidate.names), default=0.0)
    )
    return (
        total
        + PHRASE_WEIGHT * has_phrase
        + TRIGRAM_WEIGHT * similarity
        + POPULARITY_WEIGHT * min(candidate.popularity, 100) / 100
    )


def rank(plan: QueryPlan, candidates: Sequence[Candidate]) -> list[tuple[float, Candidate]]:
    """Candidates with their scores, best first; equal scores keep the database's order."""
    scored = [(score(plan, candidate), candidate) for candidate in candidates]
    return sorted(scored, key=lambda pair: -pair[0])
