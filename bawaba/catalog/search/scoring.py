"""Ranking, the same on every database: the database finds the services that match, Python orders them.

A service scores for each group of the query by where it matches best: its name counts most, then
its summary (and categories), then the rest of its guide. Rarer words count more than common ones.
On top come three smaller signals about the name: how much of it the query covers ("passport" fits
"Get a passport" better than "Replace a lost passport and its visa pages"), whether the query appears
in it as a phrase, and its trigram similarity to the query. Popularity breaks the remaining ties.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from bawaba.catalog.search.analysis import terms_of
from bawaba.catalog.search.query import Group, QueryPlan

NAME, SUMMARY, DETAILS = 0, 1, 2
TIER_WEIGHTS = (3.0, 1.2, 0.4)
NAME_COVERAGE_WEIGHT = 0.6
PHRASE_WEIGHT = 0.5
TRIGRAM_WEIGHT = 0.8
POPULARITY_WEIGHT = 0.3


@dataclass(frozen=True)
class Candidate:
    """A matching record as ranking sees it (a service, or a department)."""

    id: int
    names: tuple[str, ...]  # normalised, one per language
    tiers: tuple[frozenset[str], frozenset[str], frozenset[str]]
    popularity: int = 0
    trigram: float | None = None  # from the database when it can compute it; otherwise computed here


def trigrams(text: str) -> set[str]:
    """Trigrams of a normalised text as PostgreSQL's pg_trgm forms them: each word padded "  word "."""
    found: set[str] = set()
    for word in text.split():
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def trigram_similarity(first: str, second: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of both texts."""
    first_trigrams, second_trigrams = trigrams(first), trigrams(second)
    if not first_trigrams or not second_trigrams:
        return 0.0
    shared = len(first_trigrams & second_trigrams)
    return shared / (len(first_trigrams) + len(second_trigrams) - shared)


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


def score(plan: QueryPlan, candidate: Candidate, plan_terms: frozenset[str]) -> float:
    total = sum(_group_score(group, candidate.tiers) for group in plan.groups)
    if not total:
        return 0.0
    coverage = 0.0
    for name in candidate.names:
        name_terms = terms_of([name])
        if name_terms:
            coverage = max(coverage, sum(term in plan_terms for term in name_terms) / len(name_terms))
    phrase = f" {plan.phrase} "
    has_phrase = " " in plan.phrase and any(phrase in f" {name} " for name in candidate.names)
    similarity = (
        candidate.trigram
        if candidate.trigram is not None
        else max((trigram_similarity(plan.phrase, name) for name in candidate.names), default=0.0)
    )
    return (
        total
        + NAME_COVERAGE_WEIGHT * coverage
        + PHRASE_WEIGHT * has_phrase
        + TRIGRAM_WEIGHT * similarity
        + POPULARITY_WEIGHT * min(candidate.popularity, 100) / 100
    )


def rank(plan: QueryPlan, candidates: Sequence[Candidate]) -> list[tuple[float, Candidate]]:
    """Candidates with their scores, best first; equal scores keep the database's order."""
    plan_terms = plan.terms
    scored = [(score(plan, candidate, plan_terms), candidate) for candidate in candidates]
    return sorted(scored, key=lambda pair: -pair[0])
