"""Find codebook cues in a passage, with contrast and negation handling.

:class:`CueMatcher` turns every cue phrase of a :class:`~vcse_modes.codebook.Codebook` into
spaCy ``PhraseMatcher`` patterns on ``NORM`` (the lower-cased lookup lemma set by
:func:`vcse_modes.nlp.load_nlp`), together with the contrast markers, negation words and
ignored look-alikes, and finds them all in **one** matcher pass per doc. Only the few tokens
around each contrast or negation match are inspected afterwards.

Suppression follows the codebook's rule above all: a foil does not count.

- ``X rather than Y`` / ``instead of`` / ``as opposed to`` / ``in place of`` / ``not just``:
  the foil is Y, the tokens after the marker up to the clause end (punctuation, ``but``,
  ``because``, a new subject pronoun...), at most ``contrast.window`` tokens. When the marker
  opens a clause ("Instead of a tender we gave grants", "Rather than tendering, we ...") the
  foil also stops at a comma, a pronoun, or a determiner that starts a new noun phrase.
- ``no longer`` / ``moving away from`` / ``shift from`` / ``away from``: the foil runs up to
  ``to`` / ``towards`` / ``into`` or the clause end.
- ``replace Y with X`` (active): the foil is Y, up to ``with`` / ``by``; ``Y was replaced by X``
  (passive): the foil is Y, before the verb.
- negation (``not``, ``no``, ``never``, ``without``, ``n't``, ``nor``): a cue that starts at
  most ``negation.window`` tokens after the negation word, in the same clause, is negated
  ("not a competitive tender", "never tendered"). "not only", "whether or not" and hyphenated
  compounds ("not-for-profit") do not negate.

A suppressed hit is still returned (``suppressed=True`` with a ``reason``) so a model can use
suppressed counts as features of their own.

Examples
--------
>>> from vcse_modes.nlp import load_nlp
>>> matcher = CueMatcher()
>>> hits = matcher.find(load_nlp()("We want partners rather than providers."))
>>> [(h.text, h.pole, h.suppressed) for h in hits]
[('partners', 'collaborative', False), ('providers', 'commodified', True)]
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from vcse_modes.codebook import POLES, Codebook, load_codebook

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc, Span


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Tokens that end a contrast foil or a negation scope: a new clause starts.
_CLAUSE_STOPS = _words(
    "but so because while whereas although though which who whom where when if unless then yet since "
    "whilst we they i he she you there"
)
# Punctuation that does not end a foil: it joins the parts of one compound.
_JOINERS = frozenset({"-", "/", "&", "'", "’"})
_TO_WORDS = frozenset({"to", "towards", "toward", "into"})
_REPLACE_STOPS = frozenset({"with", "by"})
_DETERMINERS = _words("the a an this that these those our their its his her")
_PREPOSITIONS = _words(
    "of on in for to through via by with from at into onto about against under over around across "
    "than like upon within"
)
_CLAUSE_OPENERS = frozenset({"and", "but", "so", "then", "yet", "or"})
_NEGATION_SCOPE_STOPS = _CLAUSE_STOPS | {"and"}
_AUXILIARY_NORMS = frozenset({"be", "have", "get"})
_MODALS = _words("could would can will wo ca might should must may shall 'd")
_COUNTERFACTUAL_REACH = 20
_PASSIVE_FILLERS = frozenset({"being", "been", "now", "largely", "mostly", "gradually"})

# A matcher hit: (start token, end token, and two labels: medium and pole, or a contrast kind).
_Match = tuple[int, int, str, str]
# Matches of one kind sorted by start, with their starts alone for bisecting.
_Matches = dict[str, tuple[list[int], list[_Match]]]

_CUE = "cue"
_CONTRAST = "contrast"
_NEGATION = "negation"
_NEGATION_EXCEPTION = "negation_exception"
_IGNORE = "ignore"


@dataclass(frozen=True)
class CueHit:
    """One cue found in a doc or span.

    ``start_char``/``end_char`` index the text of the object passed to
    :meth:`CueMatcher.find` (for a ``Span``, its own ``text``), so
    ``doclike.text[hit.start_char:hit.end_char] == hit.text``.
    """

    medium: str
    pole: str
    start_char: int
    end_char: int
    text: str
    suppressed: bool = False
    reason: str | None = None


def feature_names(media: Sequence[str] | None = None) -> tuple[str, ...]:
    """Names of :func:`count_vector`'s entries: ``active:<medium>:<pole>`` then ``suppressed:...``."""
    media = tuple(media) if media is not None else load_codebook().medium_ids
    return tuple(f"{state}:{m}:{p}" for state in ("active", "suppressed") for m in media for p in POLES)


def count_vector(
    hits: Iterable[CueHit], n_tokens: int | None = None, media: Sequence[str] | None = None
) -> dict[str, float]:
    """Per-(medium, pole) counts of active and of suppressed hits, keyed by :func:`feature_names`.

    With ``n_tokens`` the counts become rates per 100 tokens (``n_tokens`` below 1 counts
    as 1), so passages of different lengths compare.
    """
    names = feature_names(media)
    counts = dict.fromkeys(names, 0.0)
    for hit in hits:
        key = f"{'suppressed' if hit.suppressed else 'active'}:{hit.medium}:{hit.pole}"
        if key in counts:
            counts[key] += 1.0
    if n_tokens is not None:
        scale = 100.0 / max(int(n_tokens), 1)
        counts = {k: v * scale for k, v in counts.items()}
    return counts


def phrase_variants(phrase: str) -> list[str]:
    """Spellings of a cue phrase that the lookup lemmatizer would not map to the same lemmas.

    Hyphenated phrases also get spaced and joined spellings ("co-production", "co production",
    "coproduction"); short multi-word phrases get a hyphenated spelling ("payment by results",
    "payment-by-results"); and the last word gets -s, -ed and -ing forms ("KPIs",
    "retendered"); a mixed-case abbreviation also gets a sentence-final period ("MoU."), which
    spaCy's tokenizer keeps on the token. Forms the lemmatizer already knows collapse to the
    same pattern later.
    """
    phrase = " ".join(phrase.split())
    spellings = [phrase]
    if "-" in phrase:
        spellings += [phrase.replace("-", " "), phrase.replace("-", "")]
    words = phrase.split(" ")
    if 2 <= len(words) <= 4 and "-" not in phrase and all(w.isalnum() for w in words):
        spellings.append("-".join(words))
    last_word = words[-1]
    if any(c.isupper() for c in last_word) and any(c.islower() for c in last_word):
        # spaCy keeps a sentence-final period on mixed-case abbreviations ("an MoU.").
        spellings.append(phrase + ".")
    variants: list[str] = []
    for spelling in spellings:
        variants.append(spelling)
        head, sep, last = spelling.rpartition(" ")
        stem_head, hyphen, last_part = last.rpartition("-")
        word = last_part
        if len(word) >= 3 and word.isalpha():
            prefix = f"{head}{sep}{stem_head}{hyphen}"
            for inflected in _inflections(word):
                variants.append(prefix + inflected)
    return list(dict.fromkeys(variants))


def _inflections(word: str) -> list[str]:
    lower = word.lower()
    if lower.endswith("s"):
        return []
    base = word[:-1] if lower.endswith("e") else word
    return [word + "s", base + "ed", base + "ing"]


class CueMatcher:
    """Codebook cue finder. Built lazily: the spaCy matcher is made on the first :meth:`find`.

    Parameters
    ----------
    codebook : Codebook or None
        The codebook whose cue patterns to find; None uses the packaged codebook.
    """

    def __init__(self, codebook: Codebook | None = None) -> None:
        self.codebook = codebook if codebook is not None else load_codebook()
        self._matcher: PhraseMatcher | None = None
        self._keys: dict[int, tuple[str, str, str]] = {}
        self._scope_breakers: frozenset[int] = frozenset()
        # The last doc searched, its token lists, its matches and hits per range (see find_ranges).
        self._last: tuple[Doc, _Tokens, _Matches, dict] | None = None
        self._span_type: type = type(None)

    def __getstate__(self) -> dict[str, object]:
        # The spaCy matcher is rebuilt on first use after unpickling.
        return {"codebook": self.codebook}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["codebook"])  # type: ignore[misc, arg-type]

    # -- building ---------------------------------------------------------------------------

    @property
    def media(self) -> tuple[str, ...]:
        return self.codebook.medium_ids

    def feature_names(self) -> tuple[str, ...]:
        return feature_names(self.media)

    def count_vector(self, hits: Iterable[CueHit], n_tokens: int | None = None) -> dict[str, float]:
        return count_vector(hits, n_tokens, self.media)

    def _build(self) -> PhraseMatcher:
        from spacy.matcher import PhraseMatcher
        from spacy.tokens import Span

        from vcse_modes.nlp import LOWER_LEMMA, load_nlp

        nlp = load_nlp()
        lower_lemma = nlp.get_pipe(LOWER_LEMMA)

        def lemmatise_all(texts: list[str]) -> list:
            """Pattern docs for many phrases, tokenised and lemmatised in one pass; patterns need
            only tokens and NORM, not sentence boundaries."""
            from spacy.attrs import NORM
            from spacy.tokens import Doc

            if not texts:
                return []
            joined = lower_lemma(nlp.make_doc("\n".join(texts)))
            words = [t.text for t in joined]
            spaces = [bool(t.whitespace_) for t in joined]
            norms = joined.to_array([NORM])
            docs, start = [], 0
            for i in [*(t.i for t in joined if "\n" in t.text and t.is_space), len(joined)]:
                doc = Doc(nlp.vocab, words=words[start:i], spaces=spaces[start:i])
                if len(doc):
                    doc.from_array([NORM], norms[start:i].reshape(-1, 1))
                docs.append(doc)
                start = i + 1
            if len(docs) != len(texts):  # a phrase tokenised across the separator: do it one by one
                return [lower_lemma(nlp.make_doc(text)) for text in texts]
            return docs

        cb = self.codebook
        groups: dict[tuple[str, str, str], list[str]] = {}
        for cue in cb.cue_patterns():
            groups.setdefault((_CUE, cue.medium, cue.pole), []).append(cue.phrase)
        for contrast in cb.contrast:
            groups.setdefault((_CONTRAST, contrast.kind, ""), []).append(contrast.phrase)
        groups[(_NEGATION, "", "")] = list(cb.negation)
        groups[(_NEGATION_EXCEPTION, "", "")] = list(cb.negation_exceptions)
        groups[(_IGNORE, "", "")] = list(cb.ignore_phrases)

        matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        keys: dict[int, tuple[str, str, str]] = {}
        for key, phrases in groups.items():
            if not phrases:
                continue
            expand = key[0] in (_CUE, _IGNORE)
            texts = [v for p in phrases for v in (phrase_variants(p) if expand else [p])]
            seen: set[tuple[str, ...]] = set()
            patterns = []
            for doc in lemmatise_all(texts):
                norms = tuple(t.norm_ for t in doc)
                if norms and norms not in seen:
                    seen.add(norms)
                    patterns.append(doc)
            name = "|".join(key)
            matcher.add(name, patterns)
            keys[nlp.vocab.strings[name]] = key
        self._scope_breakers = frozenset(
            doc[0].norm for doc in lemmatise_all(list(cb.negation_scope_breakers)) if len(doc)
        )
        self._keys = keys
        self._span_type = Span
        self._matcher = matcher
        return matcher

    # -- finding ----------------------------------------------------------------------------

    def find(self, doclike: Doc | Span | str) -> list[CueHit]:
        """All cue hits in a doc, span or string, in text order (suppressed ones included)."""
        if isinstance(doclike, str):
            from vcse_modes.nlp import load_nlp

            doclike = load_nlp()(doclike)
        if self._matcher is None:
            self._build()
        if isinstance(doclike, self._span_type):
            return self.find_ranges(doclike.doc, [(doclike.start, doclike.end)])[0]
        return self.find_ranges(doclike, [(0, len(doclike))])[0]

    def find_ranges(self, doc: Doc, ranges: Sequence[tuple[int, int]]) -> list[list[CueHit]]:
        """:meth:`find` for many token ranges of one doc: the matcher runs once on the whole doc.

        A range sees only the matches that lie wholly inside it, and its contrast and
        negation scopes stop at its edges, exactly as if it were searched on its own.
        """
        matcher = self._matcher if self._matcher is not None else self._build()
        cached = self._last
        if cached is None or cached[0] is not doc:
            cached = self._last = (doc, _Tokens(doc), self._classified(matcher(doc)), {})
        _, tokens, matches, found = cached
        results = []
        for lo, hi in ranges:
            hits = found.get((lo, hi))
            if hits is None:
                hits = found[(lo, hi)] = self._find_in(tokens, matches, lo, hi) if hi > lo else []
            results.append(hits)
        return results

    def _classified(self, matches: Iterable[tuple[int, int, int]]) -> _Matches:
        """Matches by kind, sorted by start: ``(their starts, their (start, end, a, b))``."""
        kinds: dict[str, list[_Match]] = {
            kind: [] for kind in (_CUE, _CONTRAST, _NEGATION, _NEGATION_EXCEPTION, _IGNORE)
        }
        keys = self._keys
        for match_id, start, end in matches:
            kind, a, b = keys[match_id]
            kinds[kind].append((start, end, a, b))
        for found in kinds.values():
            found.sort(key=_start)  # stable: same-span labels keep the matcher's order
        return {kind: ([m[0] for m in found], found) for kind, found in kinds.items()}

    def _find_in(
        self, tokens: _Tokens, matches: _Matches, lo: int, hi: int
    ) -> list[CueHit]:
        def inside(kind: str) -> list[_Match]:
            starts, found = matches[kind]
            first = bisect_left(starts, lo)
            return [m for m in found[first : bisect_left(starts, hi, lo=first)] if m[1] <= hi]

        cues: dict[tuple[int, int], list[tuple[str, str]]] = {}
        for start, end, medium, pole in inside(_CUE):
            cues.setdefault((start, end), []).append((medium, pole))
        if not cues:
            return []
        contrasts = [(start, end, kind) for start, end, kind, _ in inside(_CONTRAST)]
        negations = [(start, end) for start, end, _, _ in inside(_NEGATION)]
        protected = [(start, end) for start, end, _, _ in inside(_NEGATION_EXCEPTION)]
        ignores = [(start, end) for start, end, _, _ in inside(_IGNORE)]

        spans = self._keep_longest(cues, ignores, tokens)
        foil = self._contrast_foils(tokens, lo, hi, contrasts)
        shields = contrasts + [(s, e, "") for s, e in protected]
        negated = self._negation_scopes(tokens, lo, hi, negations, shields, spans)

        base_char = int(tokens.idx[lo])
        hits = []
        for start, end in sorted(spans):
            reason = foil.get(start) or negated.get(start)
            text = tokens.text(start, end)
            last = tokens.text(end - 1, end)
            if len(last) > 1 and last.endswith("."):  # "MoU." is kept whole by the tokenizer
                text = text[:-1]
            start_char = int(tokens.idx[start]) - base_char
            end_char = start_char + len(text)
            for medium, pole in cues[(start, end)]:
                hits.append(CueHit(medium, pole, start_char, end_char, text, reason is not None, reason))
        return hits

    def _keep_longest(
        self,
        cues: dict[tuple[int, int], list[tuple[str, str]]],
        ignores: list[tuple[int, int]],
        tokens: _Tokens,
    ) -> list[tuple[int, int]]:
        """Drop cue spans strictly inside a longer cue span, inside an ignored phrase, or of an ignored form.

        One sweep in start order (longest first at equal starts): a span is inside a longer one
        exactly when an earlier span reaches at least as far.
        """
        forms = self.codebook.ignore_forms
        kept: list[tuple[int, int]] = []
        reach = -1
        ignore_reach = -1
        next_ignore = 0
        for start, end in sorted(cues, key=lambda s: (s[0], -s[1])):
            inside = reach >= end
            reach = max(reach, end)
            while next_ignore < len(ignores) and ignores[next_ignore][0] <= start:
                ignore_reach = max(ignore_reach, ignores[next_ignore][1])
                next_ignore += 1
            if inside or ignore_reach >= end:
                continue
            if forms and tokens.text(start, end).lower() in forms:
                continue
            kept.append((start, end))
        return kept

    def _contrast_foils(
        self, t: _Tokens, lo: int, hi: int, contrasts: list[tuple[int, int, str]]
    ) -> dict[int, str]:
        """Token index -> reason, for every token inside a contrast foil."""
        foil: dict[int, str] = {}
        window = self.codebook.contrast_window
        # Longer markers first, so "move away from" names the reason rather than "away from".
        for start, end, kind in sorted(contrasts, key=lambda c: (c[0] - c[1], c[0])):
            reason = f"contrast: {t.text(start, end).lower()}"
            if kind == "replace" and _is_passive(t, lo, start, end):
                first = _scan_back(t, lo, _skip_auxiliaries(t, lo, start), window)
                region = range(first, start)
            else:
                clause_initial = _opens_clause(t, lo, start)
                region = range(end, _scan_forward(t, hi, end, kind, clause_initial, window))
            for i in region:
                foil.setdefault(i, reason)
        return foil

    def _negation_scopes(
        self,
        t: _Tokens,
        lo: int,
        hi: int,
        negations: list[tuple[int, int]],
        shields: list[tuple[int, int, str]],
        cue_spans: list[tuple[int, int]],
    ) -> dict[int, str]:
        """Token index -> reason, for tokens within reach of a negation word."""
        negated: dict[int, str] = {}
        window = self.codebook.negation_window
        breakers = self._scope_breakers
        inside_cues = {i for s, e in cue_spans if e - s > 1 for i in range(s, e)}
        starts = sorted(start for start, _ in negations)
        for start, end in negations:
            # "no longer", "not just" (contrast), "not only" (exception), "no say" (a cue itself).
            if start in inside_cues or any(s <= start and end <= e for s, e, _ in shields):
                continue
            if end < hi and t.orth[end] in _hashed(_JOINERS):  # not-for-profit, no-one
                continue
            if _is_counterfactual(t, lo, hi, start, end, starts):
                continue
            reason = f"negation: {t.text(start, end).lower()}"
            i = end
            while i < hi and i - end <= window:
                if t.sent_start[i] or (t.punct[i] and t.orth[i] not in _hashed(_JOINERS)):
                    break
                if t.lower[i] in _hashed(_NEGATION_SCOPE_STOPS):
                    break
                negated.setdefault(i, reason)
                if t.norm[i] in breakers:  # "can't stand tendering": the reach ends here
                    break
                i += 1
        return negated


def _start(match: _Match) -> int:
    return match[0]


class _Tokens:
    """One doc's token columns (see :func:`vcse_modes.nlp.token_arrays`) and its text.

    The scans around contrast and negation markers look at a few tokens each; array items
    cost far less than spaCy ``Token`` objects.
    """

    def __init__(self, doc: Doc) -> None:
        from vcse_modes.nlp import TEXT_KEY, token_arrays

        arrays = token_arrays(doc)
        self.lower, self.norm, self.orth = arrays.lower, arrays.norm, arrays.orth
        self.punct, self.sent_start = arrays.punct, arrays.sent_start
        self.idx, self.length = arrays.idx, arrays.length
        self.doc = doc
        self.doc_text: str | None = doc.user_data.get(TEXT_KEY)

    def text(self, start: int, end: int) -> str:
        """The text of tokens ``[start, end)`` (without the last one's trailing space)."""
        if self.doc_text is None:  # a doc not made by our pipeline: a span builds only its own tokens
            return self.doc[start:end].text
        return self.doc_text[int(self.idx[start]) : int(self.idx[end - 1] + self.length[end - 1])]


@cache
def _hashed(words: frozenset[str]) -> frozenset[int]:
    """A word list of the scans as spaCy string hashes, to compare with token columns."""
    from spacy.strings import hash_string

    return frozenset(hash_string(word) for word in words)


_WITHOUT = frozenset({"without"})
_BE = frozenset({"be"})


def _opens_clause(t: _Tokens, lo: int, start: int) -> bool:
    if start <= lo or t.sent_start[start]:
        return True
    previous = start - 1
    if t.punct[previous] and t.orth[previous] not in _hashed(_JOINERS):
        return True
    return t.lower[previous] in _hashed(_CLAUSE_OPENERS)


def _scan_forward(t: _Tokens, hi: int, start: int, kind: str, clause_initial: bool, window: int) -> int:
    end = start
    previous = 0
    while end < hi and end - start < window:
        lower = t.lower[end]
        if end > start and t.sent_start[end]:
            break
        if t.punct[end] and t.orth[end] not in _hashed(_JOINERS):
            break
        if lower in _hashed(_CLAUSE_STOPS):
            break
        if kind == "from" and lower in _hashed(_TO_WORDS):
            break
        if kind == "replace" and lower in _hashed(_REPLACE_STOPS):
            break
        new_phrase = lower in _hashed(_DETERMINERS) and previous not in _hashed(_PREPOSITIONS)
        if clause_initial and end > start and new_phrase:
            break
        previous = lower
        end += 1
    return end


def _is_passive(t: _Tokens, lo: int, start: int, end: int) -> bool:
    """ "was replaced by", "replaced with" right after the foil: the foil is before the verb."""
    if start > lo and t.norm[start - 1] in _hashed(_AUXILIARY_NORMS):
        return True
    if start <= lo or t.sent_start[start]:
        return False
    return end < len(t.lower) and t.lower[end] in _hashed(_REPLACE_STOPS)


def _skip_auxiliaries(t: _Tokens, lo: int, start: int) -> int:
    i = start
    auxiliaries, fillers = _hashed(_AUXILIARY_NORMS), _hashed(_PASSIVE_FILLERS)
    while i > lo and (t.norm[i - 1] in auxiliaries or t.lower[i - 1] in fillers):
        i -= 1
    return i


def _scan_back(t: _Tokens, lo: int, end: int, window: int) -> int:
    first = end
    i = end - 1
    while i >= lo and end - i <= window:
        if (t.punct[i] and t.orth[i] not in _hashed(_JOINERS)) or t.lower[i] in _hashed(_CLAUSE_STOPS):
            break
        first = i
        if t.sent_start[i]:
            break
        i -= 1
    return first


def _is_counterfactual(t: _Tokens, lo: int, hi: int, start: int, end: int, starts: list[int]) -> bool:
    """ "Without their volunteers we could not cope": the clause affirms the volunteers."""
    if t.lower[start] not in _hashed(_WITHOUT) or not _opens_clause(t, lo, start):
        return False
    for other in starts[bisect_right(starts, start) :]:
        if other - end > _COUNTERFACTUAL_REACH or other >= hi:
            return False
        if any(t.sent_start[i] for i in range(end, other + 1)):
            return False
        before = [t.lower[i] for i in range(max(lo, other - 2), other)]
        modals = _hashed(_MODALS)
        if before and before[-1] in modals:  # "we could not cope"
            return True
        if len(before) == 2 and before[0] in modals and before[1] in _hashed(_BE):  # "there would be no"
            return True
    return False
