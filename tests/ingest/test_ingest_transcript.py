"""Transcripts: label styles, timestamps, headers, role sources, captions, offset exactness."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vcse_modes import ROLES
from vcse_modes.errors import EmptyDocumentError
from vcse_modes.ingest import ingest_bytes


def _read(text: str, **kwargs):
    return ingest_bytes(text.encode("utf-8"), "interview.txt", **kwargs)


def _turns(doc):
    return [(b.speaker, b.role, doc.text[b.start : b.end]) for b in doc.blocks]


def test_generic_label_styles(check):
    text = (
        "Interviewer: Thanks for agreeing to talk.\n"
        "Respondent: No problem.\n"
        "Int: How long have you worked with the ICB?\n"
        "R: About ten years.\n"
        "Q: And the tender?\n"
        "A: Painful, honestly.\n"
        "I: Right.\n"
        "P1: Can I add something?\n"
        "R2: Sure.\n"
    )
    doc = _read(text)
    check(doc)
    assert doc.is_transcript
    assert _turns(doc) == [
        ("Interviewer", "interviewer", "Thanks for agreeing to talk."),
        ("Respondent", "unknown", "No problem."),
        ("Int", "interviewer", "How long have you worked with the ICB?"),
        ("R", "unknown", "About ten years."),
        ("Q", "interviewer", "And the tender?"),
        ("A", "unknown", "Painful, honestly."),
        ("I", "interviewer", "Right."),
        ("P1", "unknown", "Can I add something?"),
        ("R2", "unknown", "Sure."),
    ]


def test_timestamps_before_and_after_labels(check):
    text = (
        "[00:12:31] Interviewer: First question?\n"
        "R1 (00:12:40): First answer.\n"
        "00:13:01 Interviewer: Second question?\n"
        "R1: [00:13:10] Second answer\n"
        "that runs on over two lines.\n"
        "\n"
        "And a second paragraph.\n"
        "Interviewer [00:14:00]: Third?\n"
        "R1: (00:14) Third answer.\n"
    )
    doc = _read(text)
    assert check(doc) == [
        "First question?",
        "First answer.",
        "Second question?",
        "Second answer\nthat runs on over two lines.\n\nAnd a second paragraph.",
        "Third?",
        "Third answer.",
    ]
    assert [b.timestamp for b in doc.blocks] == [
        "00:12:31",
        "00:12:40",
        "00:13:01",
        "00:13:10",
        "00:14:00",
        "00:14",
    ]
    assert [b.speaker for b in doc.blocks] == ["Interviewer", "R1"] * 3


def test_name_labels_with_roles_argument(check):
    text = (
        "Jane Smith: Question one?\nTom Jones: Answer one.\n"
        "Jane Smith: Question two?\nTom Jones: Answer two.\n"
    )
    plain = _read(text)
    check(plain)
    assert [b.role for b in plain.blocks] == ["unknown"] * 4
    assert [b.speaker for b in plain.blocks] == ["Jane Smith", "Tom Jones"] * 2
    doc = _read(text, roles={"jane smith": "interviewer", "TOM JONES": "vcse"})
    assert [b.role for b in doc.blocks] == ["interviewer", "vcse"] * 2


def test_header_declares_interviewer_name_and_participant_role(check):
    text = (
        "Interview 7 - Northfield\n"
        "Date: 3 March 2024\n"
        "Interviewer: Jane Smith\n"
        "Participant role: commissioner\n"
        "\n"
        "Jane Smith: How did the tender go?\n"
        "Tom Jones: It was a lot of paperwork.\n"
        "Jane Smith: And the partnership board?\n"
        "Tom Jones: Much better.\n"
    )
    doc = _read(text)
    assert check(doc) == [
        "How did the tender go?",
        "It was a lot of paperwork.",
        "And the partnership board?",
        "Much better.",
    ]
    assert [b.role for b in doc.blocks] == ["interviewer", "commissioner"] * 2
    assert doc.metadata["date"] == "3 March 2024"
    assert doc.metadata["title"] == "Interview 7 - Northfield"


def test_header_roles_per_label_and_roles_argument_overrides():
    text = (
        "Date: 12/05/2024\n"
        "R1 role: vcse\n"
        "R2 role: commissioner\n"
        "\n"
        "I: Could you both introduce yourselves?\n"
        "R1: I run a hospice.\n"
        "R2: I commission end of life care.\n"
    )
    doc = _read(text)
    assert [(b.speaker, b.role) for b in doc.blocks] == [
        ("I", "interviewer"),
        ("R1", "vcse"),
        ("R2", "commissioner"),
    ]
    overridden = _read(text, roles={"r1": "other"})
    assert [b.role for b in overridden.blocks] == ["interviewer", "other", "commissioner"]


def test_respondent_description_in_header_and_label():
    header = (
        "Respondent (VCSE chief executive)\nLocation: online\n\n"
        "I: Tell me about funding.\nR: Grants.\nI: And?\nR: Cuts.\n"
    )
    assert [b.role for b in _read(header).blocks] == ["interviewer", "vcse"] * 2
    inline = (
        "Interviewer: Tell me about funding.\n"
        "Respondent (ICB commissioning manager): We moved to outcomes.\n"
        "Interviewer: Why?\n"
        "Respondent: The board wanted it.\n"
    )
    doc = _read(inline)
    assert [(b.speaker, b.role) for b in doc.blocks] == [
        ("Interviewer", "interviewer"),
        ("Respondent", "commissioner"),
        ("Interviewer", "interviewer"),
        ("Respondent", "commissioner"),
    ]


def test_unclear_header_line_is_a_turn_not_a_declaration():
    text = "Interviewer: Jane\nJane: Hello, shall we start?\nR1: Yes.\nJane: Good.\nR1: Fine.\n"
    doc = _read(text)
    assert doc.blocks[0].speaker == "Interviewer"
    assert doc.text[doc.blocks[0].start : doc.blocks[0].end] == "Jane"
    assert [b.role for b in doc.blocks if b.speaker == "Jane"] == ["unknown", "unknown"]


def test_default_role_and_preamble(check):
    text = (
        "This transcript was lightly edited for clarity, and names were removed before analysis.\n"
        "\n"
        "Q: What is the biggest barrier?\n"
        "A: Short contracts.\n"
        "Q: Anything else?\n"
        "A: Late payments.\n"
    )
    doc = _read(text, default_role="vcse")
    blocks = check(doc)
    assert blocks[0].startswith("This transcript was lightly edited")
    assert doc.blocks[0].speaker is None
    assert [b.role for b in doc.blocks[1:]] == ["interviewer", "vcse"] * 2


def test_otter_style_label_lines(check):
    text = (
        "Speaker 1  0:02\nWelcome to the interview.\n\n"
        "Speaker 2  0:05\nThanks, happy to help.\n\n"
        "Speaker 1  0:09\nLet's begin.\n"
    )
    doc = _read(text)
    assert check(doc) == ["Welcome to the interview.", "Thanks, happy to help.", "Let's begin."]
    assert [b.timestamp for b in doc.blocks] == ["0:02", "0:05", "0:09"]


def test_commissioning_document_is_not_a_transcript(check):
    text = (
        "Date: 1 April 2024\n"
        "Note: this plan replaces the 2019 plan.\n"
        "\n"
        "The council will commission advice services through a grant programme.\n"
        "\n"
        "Action: publish the plan.\n"
        "\n"
        "Q: Who can apply?\n"
        "\n"
        "Any registered charity in the borough can apply for funding.\n"
        "\n"
        "Budget: the programme is worth two million pounds over three years.\n"
    )
    doc = _read(text)
    check(doc)
    assert not doc.is_transcript
    assert all(b.speaker is None for b in doc.blocks)


def test_crlf_transcript_offsets(check):
    data = b"I: One?\r\nR: Two.\r\nI: Three?\r\nR: Four.\r\n"
    doc = ingest_bytes(data, "crlf.txt")
    assert check(doc) == ["One?", "Two.", "Three?", "Four."]


# ---------------------------------------------------------------- WebVTT / SRT

VTT = """WEBVTT - interview 3

STYLE
::cue { color: white }

NOTE recorded on Teams
Tom Brown role: commissioner

1
00:00:01.000 --> 00:00:04.000
<v Interviewer>How did the <i>tender</i> go?</v>

2
00:00:04.500 --> 00:00:07.000 align:start
<v.loud Jane Smith>It was hard &amp; slow.

3
00:00:07.000 --> 00:00:09.000
<v Jane Smith>We nearly withdrew.</v>

00:00:09.500 --> 00:00:11.000
Tom Brown: And then <b>what</b>?

00:00:11.000 --> 00:00:12.000
<v Interviewer>Thanks.</v>
<v Jane Smith>Pleasure.</v>
"""


def test_vtt_voice_tags_prefixes_and_merging(check):
    doc = ingest_bytes(VTT.encode(), "teams.vtt", roles={"jane smith": "vcse"})
    assert doc.format == "vtt"
    assert doc.is_transcript
    assert check(doc) == [
        "How did the tender go?",
        "It was hard & slow. We nearly withdrew.",
        "And then what?",
        "Thanks.",
        "Pleasure.",
    ]
    assert [(b.speaker, b.role) for b in doc.blocks] == [
        ("Interviewer", "interviewer"),
        ("Jane Smith", "vcse"),
        ("Tom Brown", "commissioner"),
        ("Interviewer", "interviewer"),
        ("Jane Smith", "vcse"),
    ]
    assert doc.blocks[1].timestamp == "00:00:04.500 --> 00:00:09.000"
    assert doc.text.startswith("Interviewer: How did the tender go?")
    assert doc.metadata["tom_brown_role"] == "commissioner"


def test_srt_with_name_prefixes_and_tags(check):
    srt = (
        "1\r\n00:00:01,000 --> 00:00:04,000\r\nInterviewer: Hello there.\r\n\r\n"
        "2\r\n00:00:04,000 --> 00:00:06,000\r\n{\\an8}R1: <i>Hi.</i>\r\n\r\n"
        "3\r\n00:00:06,000 --> 00:00:08,000\r\nR1: More from me.\r\n\r\n"
        "4\r\n00:00:08,000 --> 00:00:09,000\r\nNo speaker here.\r\n"
    )
    doc = ingest_bytes(srt.encode(), "captions.srt", roles={"R1": "commissioner"}, default_role="other")
    assert doc.format == "srt"
    assert check(doc) == ["Hello there.", "Hi. More from me.", "No speaker here."]
    assert [(b.speaker, b.role) for b in doc.blocks] == [
        ("Interviewer", "interviewer"),
        ("R1", "commissioner"),
        (None, "other"),
    ]
    assert doc.blocks[1].timestamp == "00:00:04,000 --> 00:00:08,000"


# ---------------------------------------------------------------- properties

GENERIC = ["Interviewer", "I", "Q", "Int", "R", "R1", "R2", "Respondent", "A", "P1", "Interviewee"]
SAFE = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz ABCDEFGHJKLMNOPQRSTUVWXYZ0123456789.,?!'")
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns=st.lists(st.tuples(st.sampled_from(GENERIC), SAFE), min_size=1, max_size=25))
def test_generic_turns_round_trip_exactly(turns):
    lines = [("Interviewer", "Thank you for joining us today."), ("R1", "Happy to help.")] + turns
    text = "\n".join(f"{label}: {said}" for label, said in lines)
    doc = _read(text)
    assert doc.is_transcript
    expected = [(label, said.strip()) for label, said in lines if said.strip()]
    assert [(b.speaker, doc.text[b.start : b.end]) for b in doc.blocks] == expected


LABELS = GENERIC + ["Jane Smith", "Dr. Patel", "Tom"]
STAMPS = ["", "[00:12:31] ", "(00:12) ", "00:12:31 "]
AFTER = ["", " [00:01:02]", " (01:02)"]
NOISY = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=["L", "N", "P", "Zs", "S"], include_characters="\n\t\r:[]()\u00a0\u2028"
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    turns=st.lists(
        st.tuples(st.sampled_from(STAMPS), st.sampled_from(LABELS), st.sampled_from(AFTER), NOISY),
        min_size=0,
        max_size=20,
    ),
    preamble=NOISY,
    newline=st.sampled_from(["\n", "\r\n", "\r", "\n\n"]),
)
def test_random_transcripts_keep_offsets_exact(turns, preamble, newline):
    text = newline.join([preamble] + [f"{a}{label}{b}: {said}" for a, label, b, said in turns])
    try:
        doc = _read(text)
    except EmptyDocumentError:  # only labels and whitespace: nothing was said
        assert not preamble.strip() and not any(said.strip() for *_, said in turns)
        return
    previous = 0
    for block in doc.blocks:
        piece = doc.text[block.start : block.end]
        assert piece and piece == piece.strip()
        assert block.start >= previous
        assert block.role in ROLES
        if block.speaker is not None:
            assert block.speaker in LABELS
        previous = block.end
