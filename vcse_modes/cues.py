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

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
        self._scope_breakers: frozenset[str] = frozenset()
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
            doc[0].norm_ for doc in lemmatise_all(list(cb.negation_scope_breakers)) if len(doc)
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
        matcher = self._matcher if self._matcher is not None else self._build()
        if isinstance(doclike, self._span_type):
            doc, lo, hi = doclike.doc, doclike.start, doclike.end
        else:
            doc, lo, hi = doclike, 0, len(doclike)
        if hi <= lo:
            return []
        base_char = doc[lo].idx

        cues: dict[tuple[int, int], list[tuple[str, str]]] = {}
        contrasts: list[tuple[int, int, str]] = []
        negations: list[tuple[int, int]] = []
        protected: list[tuple[int, int]] = []  # negation exceptions
        ignores: list[tuple[int, int]] = []
        keys = self._keys
        for match_id, start, end in matcher(doclike):
            kind, a, b = keys[match_id]
            if kind == _CUE:
                cues.setdefault((start, end), []).append((a, b))
            elif kind == _CONTRAST:
                contrasts.append((start, end, a))
            elif kind == _NEGATION:
                negations.append((start, end))
            elif kind == _NEGATION_EXCEPTION:
                protected.append((start, end))
            else:
                ignores.append((start, end))
        if not cues:
            return []

        spans = self._keep_longest(cues, ignores, doc)
        foil = self._contrast_foils(doc, lo, hi, contrasts)
        shields = contrasts + [(s, e, "") for s, e in protected]
        negated = self._negation_scopes(doc, lo, hi, negations, shields, spans)

        hits = []
        for start, end in sorted(spans):
            reason = foil.get(start) or negated.get(start)
            text = doc[start:end].text
            last = doc[end - 1].text
            if len(last) > 1 and last.endswith("."):  # "MoU." is kept whole by the tokenizer
                text = text[:-1]
            start_char = doc[start].idx - base_char
            end_char = start_char + len(text)
            for medium, pole in cues[(start, end)]:
                hits.append(CueHit(medium, pole, start_char, end_char, text, reason is not None, reason))
        return hits

    def _keep_longest(
        self, cues: dict[tuple[int, int], list[tuple[str, str]]], ignores: list[tuple[int, int]], doc: Doc
    ) -> list[tuple[int, int]]:
        """Drop cue spans strictly inside a longer cue span, inside an ignored phrase, or of an ignored form.

        One sweep in start order (longest first at equal starts): a span is inside a longer one
        exactly when an earlier span reaches at least as far.
        """
        forms = self.codebook.ignore_forms
        ignores = sorted(ignores)
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
            if forms and doc[start:end].text.lower() in forms:
                continue
            kept.append((start, end))
        return kept

    def _contrast_foils(
        self, doc: Doc, lo: int, hi: int, contrasts: list[tuple[int, int, str]]
    ) -> dict[int, str]:
        """Token index -> reason, for every token inside a contrast foil."""
        foil: dict[int, str] = {}
        window = self.codebook.contrast_window
        # Longer markers first, so "move away from" names the reason rather than "away from".
        for start, end, kind in sorted(contrasts, key=lambda c: (c[0] - c[1], c[0])):
            reason = f"contrast: {doc[start:end].text.lower()}"
            if kind == "replace" and self._is_passive(doc, lo, start, end):
                first = self._scan_back(doc, lo, self._skip_auxiliaries(doc, lo, start), window)
                region = range(first, start)
            else:
                clause_initial = self._opens_clause(doc, lo, start)
                region = range(end, self._scan_forward(doc, hi, end, kind, clause_initial, window))
            for i in region:
                foil.setdefault(i, reason)
        return foil

    @staticmethod
    def _opens_clause(doc: Doc, lo: int, start: int) -> bool:
        if start <= lo or doc[start].is_sent_start:
            return True
        previous = doc[start - 1]
        return (previous.is_punct and previous.text not in _JOINERS) or previous.lower_ in _CLAUSE_OPENERS

    @staticmethod
    def _scan_forward(doc: Doc, hi: int, start: int, kind: str, clause_initial: bool, window: int) -> int:
        end = start
        previous = ""
        while end < hi and end - start < window:
            token = doc[end]
            lower = token.lower_
            if end > start and token.is_sent_start:
                break
            if token.is_punct and lower not in _JOINERS:
                break
            if lower in _CLAUSE_STOPS:
                break
            if kind == "from" and lower in _TO_WORDS:
                break
            if kind == "replace" and lower in _REPLACE_STOPS:
                break
            if clause_initial and end > start and lower in _DETERMINERS and previous not in _PREPOSITIONS:
                break
            previous = lower
            end += 1
        return end

    @staticmethod
    def _is_passive(doc: Doc, lo: int, start: int, end: int) -> bool:
        """ "was replaced by", "replaced with" right after the foil: the foil is before the verb."""
        if start > lo and doc[start - 1].norm_ in _AUXILIARY_NORMS:
            return True
        if start <= lo or doc[start].is_sent_start:
            return False
        return end < len(doc) and doc[end].lower_ in _REPLACE_STOPS

    @staticmethod
    def _skip_auxiliaries(doc: Doc, lo: int, start: int) -> int:
        i = start
        while i > lo and (doc[i - 1].norm_ in _AUXILIARY_NORMS or doc[i - 1].lower_ in _PASSIVE_FILLERS):
            i -= 1
        return i

    @staticmethod
    def _scan_back(doc: Doc, lo: int, end: int, window: int) -> int:
        first = end
        i = end - 1
        while i >= lo and end - i <= window:
            token = doc[i]
            if (token.is_punct and token.text not in _JOINERS) or token.lower_ in _CLAUSE_STOPS:
                break
            first = i
            if token.is_sent_start:
                break
            i -= 1
        return first

    def _negation_scopes(
        self,
        doc: Doc,
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
            if end < hi and doc[end].text in _JOINERS:  # not-for-profit, no-one
                continue
            if self._is_counterfactual(doc, lo, hi, start, end, starts):
                continue
            reason = f"negation: {doc[start:end].text.lower()}"
            i = end
            while i < hi and i - end <= window:
                token = doc[i]
                if token.is_sent_start or (token.is_punct and token.text not in _JOINERS):
                    break
                if token.lower_ in _NEGATION_SCOPE_STOPS:
                    break
                negated.setdefault(i, reason)
                if token.norm_ in breakers:  # "can't stand tendering": the reach ends here
                    break
                i += 1
        return negated

    def _is_counterfactual(self, doc: Doc, lo: int, hi: int, start: int, end: int, starts: list[int]) -> bool:
        """ "Without their volunteers we could not cope": the clause affirms the volunteers."""
        if doc[start].lower_ != "without" or not self._opens_clause(doc, lo, start):
            return False
        for other in starts[bisect_right(starts, start) :]:
            if other - end > _COUNTERFACTUAL_REACH or other >= hi:
                return False
            if any(doc[i].is_sent_start for i in range(end, other + 1)):
                return False
            before = [doc[i].lower_ for i in range(max(lo, other - 2), other)]
            if before and before[-1] in _MODALS:  # "we could not cope"
                return True
            if len(before) == 2 and before[0] in _MODALS and before[1] == "be":  # "there would be no"
                return True
        return False
