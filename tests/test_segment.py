"""Segmentation: exact offsets, block boundaries, carried metadata and bounded windows."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vcse_modes import ROLES
from vcse_modes.document import Block, Document, PageSpan
from vcse_modes.segment import HARD_MAX_TOKENS, MAX_TOKENS, segment, segment_with_spans

SHA = "0" * 64


def _document(pieces: list[str], separator: str = "\n\n", prefix: str = "", **block_fields) -> Document:
    """A Document whose blocks are ``pieces`` joined by ``separator`` after ``prefix``."""
    text, blocks = prefix, []
    for number, piece in enumerate(pieces):
        if number:
            text += separator
        start = len(text)
        text += piece
        blocks.append(Block(start, len(text), **block_fields))
    return Document("doc.txt", SHA, "txt", text, tuple(blocks))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ property test

ALPHABET = st.sampled_from(
    list("abcdeXYZ019 ,;:'\"()-.!?\n\t") + ["\u00a0", "é", "’", "—", "  ", "Dr.", "e.g."]
)
BLOCK_TEXT = st.lists(ALPHABET, max_size=80).map("".join)
BLOCK = st.tuples(
    BLOCK_TEXT,
    st.one_of(st.none(), st.integers(1, 9)),  # page
    st.sampled_from([None, "Interviewer", "R1", "Jane Smith"]),  # speaker
    st.sampled_from(ROLES),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    blocks=st.lists(BLOCK, min_size=1, max_size=8),
    separator=st.sampled_from(["\n\n", "\n", " ", "", "\n \n"]),
    prefix=st.sampled_from(["", "HEADER\n", "  "]),
    max_sentences=st.integers(1, 4),
)
def test_passages_are_exact_ordered_and_inside_blocks(blocks, separator, prefix, max_sentences):
    text, spans = prefix, []
    for number, (piece, page, speaker, role) in enumerate(blocks):
        if number:
            text += separator
        start = len(text)
        text += piece
        spans.append(Block(start, len(text), page=page, speaker=speaker, role=role))
    document = Document("doc.txt", SHA, "txt", text, tuple(spans))

    passages = segment(document, max_sentences=max_sentences)

    previous_end = 0
    for number, passage in enumerate(passages):
        block = document.blocks[passage.block]
        assert passage.index == number
        assert document.text[passage.start : passage.end] == passage.text
        assert passage.text and passage.text == passage.text.strip()
        assert passage.start >= previous_end, "passages overlap or are out of order"
        assert block.start <= passage.start < passage.end <= block.end, "passage crosses its block"
        assert (passage.speaker, passage.role) == (block.speaker, block.role)
        assert passage.page == block.page
        previous_end = passage.end
    assert [p.block for p in passages] == sorted(p.block for p in passages)
    # Nothing is lost: every non-space character of every block is in exactly one passage.
    for number, block in enumerate(document.blocks):
        inside = "".join(p.text for p in passages if p.block == number)
        assert _squash(inside) == _squash(document.text[block.start : block.end])


@settings(max_examples=60, deadline=None)
@given(
    sentences=st.lists(
        st.sampled_from(
            [
                "We tendered it.",
                "Nobody bid!",
                "Why?",
                "The alliance met monthly.",
                "A very long clause " * 12 + "ends here.",
            ]
        ),
        min_size=1,
        max_size=14,
    ),
    max_sentences=st.integers(1, 4),
    max_tokens=st.integers(5, 120),
)
def test_windows_respect_max_sentences_and_tokens(sentences, max_sentences, max_tokens):
    document = _document([" ".join(sentences)])
    pairs = list(segment_with_spans(document, max_sentences=max_sentences, max_tokens=max_tokens))
    assert pairs
    for passage, span in pairs:
        assert span.text.strip() == passage.text
        n_sentences = len(list(span.sents))
        assert n_sentences <= max_sentences
        assert len(span) <= max(max_tokens, HARD_MAX_TOKENS)
        if n_sentences > 1:
            assert len(span) <= max_tokens, "a window of several sentences exceeds max_tokens"


# ------------------------------------------------------------------ examples


@pytest.mark.parametrize(
    ("max_sentences", "expected"),
    [
        (1, ["One is here.", "Two is here.", "Three is here.", "Four is here.", "Five is here."]),
        (2, ["One is here. Two is here.", "Three is here. Four is here.", "Five is here."]),
        (3, ["One is here. Two is here. Three is here.", "Four is here. Five is here."]),
        (9, ["One is here. Two is here. Three is here. Four is here. Five is here."]),
    ],
)
def test_sentence_windows(max_sentences, expected):
    document = _document(["One is here. Two is here. Three is here. Four is here. Five is here."])
    assert [p.text for p in segment(document, max_sentences=max_sentences)] == expected


def test_window_never_joins_sentences_across_blocks():
    document = _document(["First block, one sentence.", "Second block.", "Third."], separator="\n")
    passages = segment(document, max_sentences=3)
    assert [(p.text, p.block) for p in passages] == [
        ("First block, one sentence.", 0),
        ("Second block.", 1),
        ("Third.", 2),
    ]


def test_whitespace_only_and_empty_blocks_give_no_passages():
    text = "Real text.\n\n   \n\nMore text."
    document = Document(
        "x.txt", SHA, "txt", text, (Block(0, 10), Block(12, 15), Block(17, 17), Block(17, 27))
    )
    passages = segment(document)
    assert [(p.text, p.block, p.index) for p in passages] == [("Real text.", 0, 0), ("More text.", 3, 1)]


def test_surrounding_whitespace_in_a_block_is_trimmed_from_offsets():
    text = "  \n Indented sentence here.  \n"
    document = Document("x.txt", SHA, "txt", text, (Block(0, len(text)),))
    [passage] = segment(document)
    assert (passage.start, passage.end) == (4, 27)
    assert text[passage.start : passage.end] == "Indented sentence here."


def test_page_comes_from_the_block_or_else_from_page_spans():
    text = "Page one text.\n\nPage two text. Still two."
    pages = (PageSpan(1, 0, 14), PageSpan(2, 16, len(text)))
    without = Document("x.pdf", SHA, "pdf", text, (Block(0, 14), Block(16, len(text))), pages=pages)
    assert [p.page for p in segment(without, max_sentences=1)] == [1, 2, 2]
    labelled = Document(
        "x.pdf", SHA, "pdf", text, (Block(0, 14, page=7), Block(16, len(text), page=8)), pages=pages
    )
    assert [p.page for p in segment(labelled, max_sentences=1)] == [7, 8, 8]
    assert [p.page for p in segment(_document(["No pages here."]))] == [None]


def test_speakers_and_roles_come_from_turns():
    text = "Interviewer: How is it funded?\nR1: By contract. We tendered."
    blocks = (
        Block(13, 30, speaker="Interviewer", role="interviewer"),
        Block(35, len(text), speaker="R1", role="vcse"),
    )
    document = Document("i.txt", SHA, "txt", text, blocks, is_transcript=True)
    passages = segment(document, max_sentences=1)
    assert [(p.text, p.speaker, p.role) for p in passages] == [
        ("How is it funded?", "Interviewer", "interviewer"),
        ("By contract.", "R1", "vcse"),
        ("We tendered.", "R1", "vcse"),
    ]


def test_long_block_without_punctuation_gives_bounded_passages():
    words = [f"word{i % 97}" for i in range(30_000)]
    block = " ".join(words)[:200_000]
    assert len(block) == 200_000 and not re.search(r"[.!?]", block)
    document = _document([block])
    pairs = list(segment_with_spans(document))
    assert len(pairs) >= 200_000 // 2_000
    assert max(len(span) for _, span in pairs) <= max(MAX_TOKENS, HARD_MAX_TOKENS)
    assert max(len(p.text) for p, _ in pairs) <= HARD_MAX_TOKENS * 8  # words are at most 6 characters
    for passage, _ in pairs:
        assert block[passage.start : passage.end] == passage.text
    assert _squash("".join(p.text for p, _ in pairs)) == _squash(block)


def test_segment_of_a_document_without_blocks_is_empty():
    assert segment(Document("x.txt", SHA, "txt", "orphan text", ())) == []
