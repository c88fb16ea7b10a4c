"""From what a person typed to what the index is asked: a plan of word groups and the terms that satisfy each.

Each group stands for one thing the person asked about ("باسبورت", "اجازة سوق", "licence"). A group is
satisfied by any of its alternatives: the person's own words, or an editor's synonym for them. Each
word of an alternative may be found as itself, as a longer indexed word it starts, or, when the word
is unknown, as a known word one or two typos away, so "باسبوت" still finds the passport.

Words nothing in the catalogue contains are left out rather than allowed to empty the results.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

from bawaba.catalog.search.analysis import is_searchable_word
from bawaba.catalog.search.lexicon import Lexicon
from bawaba.core.text import light_stem, normalize_text

MAX_WORDS = 12  # a query is a few words; a pasted paragraph should not cost more than that
MAX_COMPLETIONS = 4
MAX_NEAR = 4
MINIMUM_COMPLETION_LENGTH = 4
# How much a match counts against an exact one. A word's variants stay at 0.6 or more: ranking
# relies on that (scoring.Candidate.best); whole alternatives (synonyms, splits) may count less.
COMPLETION_FACTOR = 0.7
TYPO_FACTORS = {1: 0.75, 2: 0.6}
CONJUNCTION_FACTOR = 0.95  # "وجواز" read as "و" + "جواز"
SYNONYM_FACTOR = 0.9
SPLIT_FACTOR = 0.8  # "جوازسفر" read as "جواز سفر"
COMMON_SHARE = 0.25  # a word in a quarter of all services does not narrow a search on its own
CORRECTION_RATIO = 5  # a known word is read as a neighbour only if the neighbour is this many times commoner
MINIMUM_CORRECTION_FREQUENCY = 5


@dataclass(frozen=True)
class Word:
    """One word to find, with the indexed terms that count as finding it and how much each counts."""

    variants: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Alternative:
    words: tuple[Word, ...]
    factor: float


@dataclass(frozen=True)
class Group:
    text: str
    alternatives: tuple[Alternative, ...]
    weight: float  # rarer words count more (inverse document frequency, squashed to 0.5..1)
    is_common: bool

    def terms(self) -> Iterator[str]:
        for alternative in self.alternatives:
            for word in alternative.words:
                for term, _factor in word.variants:
                    yield term


@dataclass(frozen=True)
class QueryPlan:
    groups: tuple[Group, ...]
    phrase: str  # the person's searchable words, normalised: for exact phrases and trigram similarity

    def widening(self) -> list[list[list[Group]]]:
        """The searches to try in turn, each finding a superset of the one before.

        Every group; then all groups but one; then any one group. A very common word ("وزارة",
        "service") never stands for a search on its own or with other very common words only.
        """
        steps = [[list(self.groups)]] if self.groups else []
        for size in sorted({len(self.groups) - 1, 1}, reverse=True):
            if size < 1 or size >= len(self.groups):
                continue
            subsets = [list(subset) for subset in combinations(self.groups, size)]
            subsets = [subset for subset in subsets if not all(group.is_common for group in subset)]
            if subsets:
                steps.append(subsets)
        return steps


def _variants(word: str, stem: str, lexicon: Lexicon) -> dict[str, float]:
    variants: dict[str, float] = {}
    if stem in lexicon.known_terms:
        variants[stem] = 1.0
        # A typo can make another real word ("جوار" for "جواز"): consider much commoner neighbours too.
        frequency = lexicon.frequency(stem)
        for near, distance in lexicon.spelling.near(stem)[:MAX_NEAR]:
            if lexicon.frequency(near) >= max(MINIMUM_CORRECTION_FREQUENCY, CORRECTION_RATIO * frequency):
                variants[near] = TYPO_FACTORS[distance]
    else:
        rest = light_stem(word[1:]) if word.startswith("و") and len(word) >= 4 else ""
        if rest in lexicon.known_terms:
            variants[rest] = CONJUNCTION_FACTOR
        else:
            for near, distance in lexicon.spelling.near(stem)[:MAX_NEAR]:
                variants[near] = TYPO_FACTORS[distance]
    if len(stem) >= MINIMUM_COMPLETION_LENGTH:
        for completion in lexicon.completions(stem, MAX_COMPLETIONS):
            variants.setdefault(completion, COMPLETION_FACTOR)
    return variants


def _exact(terms: tuple[str, ...], lexicon: Lexicon, factor: float) -> Alternative | None:
    if not all(term in lexicon.known_terms for term in terms):
        return None
    return Alternative(words=tuple(Word(variants=((term, 1.0),)) for term in terms), factor=factor)


def _split(word: str, lexicon: Lexicon) -> Alternative | None:
    """Two known words typed without the space between them."""
    best: tuple[int, str, str] | None = None
    for cut in range(2, len(word) - 1):
        first, second = light_stem(word[:cut]), light_stem(word[cut:])
        if not (is_searchable_word(word[:cut]) and is_searchable_word(word[cut:])):
            continue
        rarest = min(lexicon.frequency(first), lexicon.frequency(second))
        if rarest and (best is None or rarest > best[0]):
            best = (rarest, first, second)
    return _exact(best[1:], lexicon, SPLIT_FACTOR) if best else None


def _own_words(words: list[str], lexicon: Lexicon) -> Alternative | None:
    searchable = [word for word in words if is_searchable_word(word)] or words
    found = []
    for word in searchable:
        variants = _variants(word, light_stem(word), lexicon)
        if not variants:
            return None
        found.append(Word(variants=tuple(variants.items())))
    return Alternative(words=tuple(found), factor=1.0)


def _synonym_alternatives(key: tuple[str, ...], lexicon: Lexicon, factor: float) -> list[Alternative]:
    found = (_exact(expansion, lexicon, factor) for expansion in lexicon.synonyms.get(key, ()))
    return [alternative for alternative in found if alternative]


def _weigh(text: str, alternatives: list[Alternative], lexicon: Lexicon) -> Group:
    total = max(lexicon.vocabulary.document_count, 1)
    frequencies = [
        lexicon.frequency(term)
        for alternative in alternatives
        for word in alternative.words
        for term, _factor in word.variants
    ]
    frequency = min((f for f in frequencies if f), default=0)
    # A group is only as common as the rarest way to satisfy it.
    specificity = math.log(1 + total / frequency) / math.log(1 + total) if frequency else 1.0
    is_common = frequency / total >= COMMON_SHARE if frequency else False
    return Group(text=text, alternatives=tuple(alternatives), weight=0.5 + 0.5 * specificity, is_common=is_common)


def plan_query(query: str, lexicon: Lexicon) -> QueryPlan:
    words = normalize_text(query).split()[:MAX_WORDS]
    stems = [light_stem(word) for word in words]
    groups: list[Group] = []
    phrase: list[str] = []
    position = 0
    while position < len(words):
        # Editors' synonyms first, the longest that fits: "اجازة سوق" before "سوق".
        for size in range(min(lexicon.longest_synonym, len(words) - position), 0, -1):
            key = tuple(stems[position : position + size])
            if key in lexicon.synonyms:
                span = words[position : position + size]
                alternatives = [_own_words(span, lexicon), *_synonym_alternatives(key, lexicon, SYNONYM_FACTOR)]
                found = [alternative for alternative in alternatives if alternative]
                if found:
                    groups.append(_weigh(" ".join(span), found, lexicon))
                phrase.extend(span)
                position += size
                break
        else:
            word, stem = words[position], stems[position]
            position += 1
            if not is_searchable_word(word):
                continue
            phrase.append(word)
            group = _word_group(word, stem, lexicon)
            if group:  # words nothing in the catalogue resembles are left out
                groups.append(group)
    return QueryPlan(groups=tuple(groups), phrase=" ".join(phrase))


def _word_group(word: str, stem: str, lexicon: Lexicon) -> Group | None:
    alternatives: list[Alternative] = []
    own = _own_words([word], lexicon)
    if own:
        alternatives.append(own)
    if stem not in lexicon.known_terms:
        # A misspelt colloquial word ("باسبوت") still reaches its synonym ("جواز سفر").
        for near, distance in lexicon.spelling.near(stem)[:MAX_NEAR]:
            alternatives += _synonym_alternatives((near,), lexicon, SYNONYM_FACTOR * TYPO_FACTORS[distance])
        if not alternatives:
            split = _split(word, lexicon)
            if split:
                alternatives.append(split)
    return _weigh(word, alternatives, lexicon) if alternatives else None
