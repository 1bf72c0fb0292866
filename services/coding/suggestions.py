"""Coding suggestions from documentation: rank ICD-10-CM codes for an encounter's note with BM25.

The index holds every billable ICD-10-CM code as a small document: its description plus its
inclusion terms from the code set ("Chronic obstructive lung disease NOS" for J44.9). A note is
split into segments (sentences, the items of an assessment list), each segment is scored against
the index, and the best code of each segment becomes a suggestion with a confidence.

Scoring is Okapi BM25 (k1=1.2, b=0.75) over normalized tokens: lowercase, punctuation removed, a
short stopword list, common clinical abbreviations spelled out (COPD, GERD, ...) and plural `s`
stripped. To stay fast without numpy, a segment's rare terms (in fewer than `_RARE_DF` codes)
choose the candidates and the common terms ("right", "unspecified") only add to candidates already
found; a segment with no rare term is scored over the common terms' full postings.

Confidence (0..1) of a segment's best code combines three things: `coverage`, the share of the
segment's known terms (by idf weight) that the code's document holds; `margin`, how far its score
`s1` beats `s2`, the best score of a code in ANOTHER category (first three characters, so right and
left siblings do not compete); and `matched`, how many distinct terms it matched (one shared word,
"return" or "sick", is weak evidence whatever its idf):

    confidence = coverage * (0.7 + 0.3 * (s1 - s2) / s1) * (1 - 0.4 ** matched)

A single matched word therefore reaches at most 0.6. On the simulator's notes an assessment item of
two or more words gives its code 0.6 to 0.9, a one-word item ("asthma") 0.4 to 0.6, and the notes'
boilerplate sentences stay under 0.5; `review.CONFIDENT` (0.6) is where a suggestion may contradict
the provider.

Segment results are cached per index (20,000 entries, keyed by the segment's sorted terms):
notes repeat their phrases ("essential hypertension", the practice's boilerplate), so most
segments of a busy day are scored once. The cache lives in the process's memory only.

Nothing here logs or returns note text: only codes, scores and confidences.
"""

from __future__ import annotations

import math
import re
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

K1: Final = 1.2
B: Final = 0.75
TOP_K: Final = 10  # a sent code within the top 10 of some segment (or its category) is supported
SUGGESTIONS_KEPT: Final = 5
SUPPORT_OVERLAP: Final = 0.6  # share of a description's idf weight found in the note
_RARE_DF: Final = 1500
_SEGMENT_CACHE_SIZE: Final = 20_000

_STOPWORDS: Final = frozenset(
    "a an and the of or in on at to for by is was were be been are as with from per due other "
    "this that these those has have had not no nos patient pt reports seen today note synthetic "
    "simulated visit assessment plan given reviewed".split())
# Spelled out as the code set writes them; applied to single tokens of the note and the index alike.
_ABBREVIATIONS: Final = {
    "copd": "chronic obstructive pulmonary disease", "gerd": "gastro esophageal reflux disease",
    "adhd": "attention deficit hyperactivity disorder", "bmi": "body mass index",
    "uri": "upper respiratory infection", "uti": "urinary tract infection",
    "cad": "coronary artery disease", "htn": "hypertension", "osa": "obstructive sleep apnea",
    "oa": "osteoarthritis", "hld": "hyperlipidemia", "ckd": "chronic kidney disease",
    "chf": "heart failure", "afib": "atrial fibrillation", "mi": "myocardial infarction",
    "dm": "diabetes mellitus", "t2dm": "type 2 diabetes mellitus", "exam": "examination",
    "om": "otitis media", "uti's": "urinary tract infection",
}
_WORD = re.compile(r"[a-z0-9]+")
_SEGMENT_BREAK = re.compile(r"[.;:!?](?:\s|$)|\n")
_BILLABLE_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}")


def tokens(text: str) -> list[str]:
    """The index terms of `text`: lowercase words and numbers, abbreviations spelled out, plural
    `s` stripped, stopwords dropped."""
    found: list[str] = []
    for word in _WORD.findall(text.lower()):
        for part in _ABBREVIATIONS.get(word, word).split():
            if part in _STOPWORDS or (len(part) == 1 and not part.isdigit()):
                continue
            found.append(_stem(part))
    return found


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def segments(note: str) -> list[str]:
    """The note cut at sentence ends, semicolons, colons and line breaks (never inside '44.9')."""
    return [part for part in _SEGMENT_BREAK.split(note) if part.strip()]


@dataclass(frozen=True, slots=True)
class Suggestion:
    code: str  # without the dot
    score: float
    confidence: float


@dataclass(frozen=True, slots=True)
class NoteReading:
    """What the index made of a note: suggestions, best first, and every code ranked within the
    top K of some segment (to check the codes a provider sent)."""

    suggestions: tuple[Suggestion, ...]
    ranked: frozenset[str]
    terms: frozenset[str]

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None


class SuggestionIndex:
    """BM25 over code documents; build with `from_documents` (tests) or `icd10cm_index` (the code set)."""

    def __init__(self, codes: Sequence[str], postings: dict[str, dict[int, float]], idf: dict[str, float],
                 description_terms: Sequence[frozenset[str]], build_seconds: float) -> None:
        self._codes = codes
        self._position = {code: n for n, code in enumerate(codes)}
        self._postings = postings
        self._idf = idf
        self._description_terms = description_terms
        self.build_seconds = build_seconds
        self._segment_cache: dict[str, tuple[Suggestion, tuple[str, ...]] | None] = {}
        self._cache_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._codes)

    def state(self) -> tuple:
        """Plain values (lists, dicts, strings, numbers, frozensets) that `from_state` turns back
        into this index; what `index_cache` keeps in its file."""
        return list(self._codes), self._postings, self._idf, list(self._description_terms)

    @classmethod
    def from_state(cls, state: tuple, build_seconds: float) -> SuggestionIndex:
        """The index whose `state()` this is; a state of another shape raises ValueError."""
        codes, postings, idf, description_terms = state
        if not (isinstance(codes, list) and isinstance(postings, dict) and isinstance(idf, dict)
                and isinstance(description_terms, list) and len(codes) == len(description_terms)):
            raise ValueError("not a suggestion index state")
        return cls(codes, postings, idf, description_terms, build_seconds)

    @classmethod
    def from_documents(cls, documents: Iterable[tuple[str, str, Sequence[str]]]) -> SuggestionIndex:
        """Index (code, description, inclusion terms) triples."""
        started = time.perf_counter()
        codes: list[str] = []
        term_counts: list[Counter[str]] = []
        description_terms: list[frozenset[str]] = []
        for code, description, inclusion_terms in documents:
            codes.append(code)
            described = tokens(description)
            description_terms.append(frozenset(described))
            term_counts.append(Counter(described + [t for term in inclusion_terms for t in tokens(term)]))
        lengths = [sum(counts.values()) for counts in term_counts]
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        document_frequency: Counter[str] = Counter()
        for counts in term_counts:
            document_frequency.update(counts.keys())
        total = len(codes)
        idf = {term: math.log(1 + (total - df + 0.5) / (df + 0.5)) for term, df in document_frequency.items()}
        postings: dict[str, dict[int, float]] = {term: {} for term in document_frequency}
        for number, counts in enumerate(term_counts):
            norm = K1 * (1 - B + B * lengths[number] / average)
            for term, tf in counts.items():
                postings[term][number] = idf[term] * tf * (K1 + 1) / (tf + norm)
        return cls(codes, postings, idf, description_terms, time.perf_counter() - started)

    def rank(self, text: str, limit: int = TOP_K) -> list[tuple[str, float]]:
        """The `limit` best codes for `text` with their BM25 scores, best first (ties by code)."""
        return [(self._codes[n], score) for n, score in self._scores(set(tokens(text)), limit)]

    def read(self, note: str) -> NoteReading:
        """Suggestions for a note: the best code of each segment with its confidence, best first."""
        best: dict[str, Suggestion] = {}
        ranked: set[str] = set()
        for segment in segments(note):
            read = self._read_segment(" ".join(sorted(set(tokens(segment)))))
            if read is None:
                continue
            suggestion, top_k = read
            ranked.update(top_k)
            if suggestion.code not in best or best[suggestion.code].confidence < suggestion.confidence:
                best[suggestion.code] = suggestion
        ordered = sorted(best.values(), key=lambda s: (-s.confidence, -s.score, s.code))
        return NoteReading(tuple(ordered[:SUGGESTIONS_KEPT]), frozenset(ranked), frozenset(tokens(note)))

    def _read_segment(self, terms: str) -> tuple[Suggestion, tuple[str, ...]] | None:
        """The best code of a segment (given as its sorted terms) and its top K codes. Cached per
        index: notes repeat their phrases, and the key is a bag of terms, not the sentence."""
        cached = self._segment_cache.get(terms)
        if cached is not None or terms in self._segment_cache:
            return cached
        query = set(terms.split())
        scored = self._scores(query, None)
        result = None
        if scored:
            top_code = self._codes[scored[0][0]]
            s1 = scored[0][1]
            s2 = next((s for n, s in scored if self._codes[n][:3] != top_code[:3]), 0.0)
            coverage, matched = self._coverage(query, scored[0][0])
            result = (Suggestion(top_code, round(s1, 3), round(confidence_of(coverage, s1, s2, matched), 3)),
                      tuple(self._codes[n] for n, _ in scored[:TOP_K]))
        with self._cache_lock:  # batches are read in worker threads
            if len(self._segment_cache) >= _SEGMENT_CACHE_SIZE:
                self._segment_cache.pop(next(iter(self._segment_cache)))  # the oldest entry
            self._segment_cache[terms] = result
        return result

    def clear_cache(self) -> None:
        self._segment_cache.clear()

    def supports(self, reading: NoteReading, code: str) -> bool:
        """True when the note backs `code` (no dot): it, or a code of its category, ranked within
        the top K of a segment, or the note holds most (by idf weight) of its description's terms."""
        if code in reading.ranked or any(ranked[:3] == code[:3] for ranked in reading.ranked):
            return True
        position = self._position.get(code)
        if position is None:
            return False
        wanted = self._description_terms[position]
        weight = sum(self._idf.get(term, 0.0) for term in wanted)
        found = sum(self._idf.get(term, 0.0) for term in wanted & reading.terms)
        return weight > 0 and found / weight >= SUPPORT_OVERLAP

    def _coverage(self, query: set[str], number: int) -> tuple[float, int]:
        """The share of the query's idf weight (terms the index knows) found in document `number`,
        and how many of the query's terms it holds."""
        known = [t for t in query if t in self._postings]
        held = [t for t in known if number in self._postings[t]]
        weight = sum(self._idf[t] for t in known)
        return (sum(self._idf[t] for t in held) / weight if weight else 0.0), len(held)

    def _scores(self, query: set[str], limit: int | None) -> list[tuple[int, float]]:
        """(document number, score) best first; every document scored when limit is None, but
        only those a rare term found (or all, when the query has no rare term)."""
        present = sorted((t for t in query if t in self._postings), key=lambda t: len(self._postings[t]))
        if not present:
            return []
        rare = [t for t in present if len(self._postings[t]) <= _RARE_DF] or present
        scores: dict[int, float] = {}
        for term in rare:
            for number, weight in self._postings[term].items():
                scores[number] = scores.get(number, 0.0) + weight
        for term in present:
            if term in rare:
                continue
            postings = self._postings[term]
            for number in scores:
                weight = postings.get(number)
                if weight is not None:
                    scores[number] += weight
        ordered = sorted(scores.items(), key=lambda item: (-item[1], self._codes[item[0]]))
        return ordered if limit is None else ordered[:limit]


def confidence_of(coverage: float, top: float, runner_up: float, matched: int) -> float:
    """See the module docstring: grows with how much of the segment the best code explains, with
    its margin over the best code of another category and with the number of terms matched."""
    if top <= 0 or matched <= 0:
        return 0.0
    margin = max(0.0, min(1.0, (top - runner_up) / top))
    return max(0.0, min(1.0, coverage)) * (0.7 + 0.3 * margin) * (1 - 0.4 ** matched)


@cache
def icd10cm_index() -> SuggestionIndex:
    """The index over every billable ICD-10-CM code of the pinned code set (built once per process;
    `build_seconds` says how long it took). The coding process reads it through `index_cache`."""
    return build_icd10cm_index()


def build_icd10cm_index() -> SuggestionIndex:
    """Build the index over every billable ICD-10-CM code of the pinned code set (seconds)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as code_set

    def documents() -> Iterable[tuple[str, str, Sequence[str]]]:
        for code in code_set.get_all_codes(False):
            if _BILLABLE_SHAPE.fullmatch(code) and code_set.is_leaf(code):
                yield code, code_set.get_description(code), code_set.get_inclusion_term(code)

    return SuggestionIndex.from_documents(documents())
