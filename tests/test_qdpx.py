"""REFI-QDA projects: reading each tool's shapes, anchoring drifted offsets, hostile archives, export."""

from __future__ import annotations

import codecs
import io
import os
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from vcse_modes import MEDIA, MODES
from vcse_modes.errors import DataError, UnsafeInputError
from vcse_modes.qdpx import (
    NAMESPACE,
    Code,
    Selection,
    Source,
    anchor,
    codebook_codes,
    export_scored,
    make_guid,
    parse_project_xml,
    read_project,
    write_project,
)

NS = NAMESPACE
XSD = Path(__file__).with_name("refi_qda_project_1_0.xsd")
USER_A = "aaaaaaaa-0000-4000-8000-000000000001"
USER_B = "bbbbbbbb-0000-4000-8000-000000000002"
CODE_MARKET = "c0000000-0000-4000-8000-000000000001"
CODE_PARENT = "c0000000-0000-4000-8000-000000000000"
CODE_TENDER = "c0000000-0000-4000-8000-000000000002"


def g(n: int) -> str:
    """A GUID from a number."""
    return f"00000000-0000-4000-8000-{n:012d}"


def qde(sources: str, *, codes: str | None = None, users: str | None = None) -> bytes:
    """A project.qde with the given Sources children (and a small nested codebook by default)."""
    if codes is None:
        codes = (
            f'<Code guid="{CODE_PARENT}" name="Commissioning modes" isCodable="false">'
            f'<Code guid="{CODE_MARKET}" name="Market-based" isCodable="true"/></Code>'
            f'<Code guid="{CODE_TENDER}" name="Tendering" isCodable="true"/>'
        )
    if users is None:
        users = f'<User guid="{USER_A}" name="Alice"/><User guid="{USER_B}" name="Bob"/>'
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="test" origin="test">'
        f"<Users>{users}</Users><CodeBook><Codes>{codes}</Codes></CodeBook>"
        f"<Sources>{sources}</Sources></Project>"
    ).encode()


def qdpx(project: bytes, files: dict[str, bytes] | None = None) -> bytes:
    """A .qdpx archive in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project)
        for name, content in (files or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def text_source(guid: str, name: str, selections: str, *, path: str | None = None, content: str | None = None,
                tag: str = "TextSource") -> str:
    body = f"<PlainTextContent>{content}</PlainTextContent>" if content is not None else ""
    attribute = f' plainTextPath="internal://{path}"' if path else ""
    return f'<{tag} guid="{guid}" name="{name}"{attribute}>{body}{selections}</{tag}>'


def selection(guid: str, start: int, end: int, *, name: str = "", codes: tuple[str, ...] = (CODE_MARKET,),
              user: str = USER_A, description: str | None = None,
              coding_users: tuple[str, ...] | None = None) -> str:
    coders = coding_users or (user,) * len(codes)
    codings = "".join(
        f'<Coding guid="{make_guid("coding", guid + code + str(i))}" creatingUser="{coders[i]}">'
        f'<CodeRef targetGUID="{code}"/></Coding>'
        for i, code in enumerate(codes)
    )
    desc = f"<Description>{description}</Description>" if description is not None else ""
    return (f'<PlainTextSelection guid="{guid}" name="{name}" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{user}">{desc}{codings}</PlainTextSelection>')


QUOTE = "We were told to tender every single year."


# -- tool shapes ------------------------------------------------------------------------------


def test_atlas_ti_crlf_counted_as_one_character() -> None:
    text = f"Interviewer: Thanks for coming.\r\nRespondent: {QUOTE}\r\nIt was exhausting."
    start = text.index(QUOTE)
    atlas_start = start - text[:start].count("\r\n")  # ATLAS.ti counts each CRLF as one character
    sel = selection(g(10), atlas_start, atlas_start + len(QUOTE), name=QUOTE)
    data = qdpx(qde(text_source(g(1), "interview.txt", sel, path=f"{g(1)}.txt")),
                {f"sources/{g(1)}.txt": text.encode()})
    project = read_project(data)
    source = project.sources[0]
    assert source.text == text  # CRLF kept as is: offsets are checked against the real text
    placed = anchor(source.text, source.selections[0])
    assert (placed.status, placed.method, placed.text) == ("re-anchored", "crlf", QUOTE)


def test_emoji_before_selection_with_utf16_offsets() -> None:
    text = f"Great meeting 😀😀 today. {QUOTE} Then lunch."
    start = text.index(QUOTE)
    utf16_start = len(text[:start].encode("utf-16-le")) // 2  # two astral characters: +2 units
    assert utf16_start == start + 2
    sel = selection(g(10), utf16_start, utf16_start + len(QUOTE), name=QUOTE)
    data = qdpx(qde(text_source(g(1), "notes.txt", sel, path=f"{g(1)}.txt")),
                {f"sources/{g(1)}.txt": text.encode()})
    source = read_project(data).sources[0]
    placed = anchor(source.text, source.selections[0])
    assert (placed.status, placed.method, placed.start, placed.text) == ("re-anchored", "utf16", start, QUOTE)


def test_bom_is_stripped_and_bom_counted_offsets_are_repaired() -> None:
    text = f"Opening remarks. {QUOTE}"
    start = text.index(QUOTE)
    sel = selection(g(10), start + 1, start + 1 + len(QUOTE), name=QUOTE)  # the tool counted the BOM
    raw = codecs.BOM_UTF8 + text.encode()
    data = qdpx(qde(text_source(g(1), "bom.txt", sel, path=f"{g(1)}.txt")), {f"Sources/{g(1)}.txt": raw})
    source = read_project(data).sources[0]
    assert source.text == text
    placed = anchor(source.text, source.selections[0])
    assert (placed.status, placed.method, placed.text) == ("re-anchored", "bom-1", QUOTE)


def test_exact_offsets_and_nested_code_paths() -> None:
    text = f"Before. {QUOTE} After."
    start = text.index(QUOTE)
    sel = selection(g(10), start, start + len(QUOTE), name=QUOTE, codes=(CODE_MARKET, CODE_TENDER))
    project = read_project(qdpx(qde(text_source(g(1), "a", sel, content=text))))
    assert {c.guid: c.path for c in project.codes}[CODE_MARKET] == "Commissioning modes/Market-based"
    assert {c.guid: c.parent for c in project.codes}[CODE_MARKET] == CODE_PARENT
    only = project.sources[0].selections[0]
    assert only.code_guids == (CODE_MARKET, CODE_TENDER)
    assert only.stored_text == QUOTE
    assert anchor(text, only).status == "exact"
    assert project.user_names()[USER_A] == "Alice"


def test_missing_source_file_is_a_warning_not_a_crash() -> None:
    sel = selection(g(10), 0, 10, name=QUOTE)
    data = qdpx(qde(text_source(g(1), "lost.txt", sel, path=f"{g(1)}.txt")))
    project = read_project(data)
    assert project.sources[0].missing
    assert project.sources[0].selections[0].stored_text == QUOTE
    assert any("missing from the archive" in w for w in project.warnings)


def test_duplicate_guids_warn_and_first_wins() -> None:
    codes = (f'<Code guid="{CODE_MARKET}" name="First" isCodable="true"/>'
             f'<Code guid="{CODE_MARKET}" name="Second" isCodable="true"/>')
    text = f"{QUOTE} {QUOTE}"
    sels = selection(g(10), 0, len(QUOTE), name=QUOTE) + selection(g(10), 5, 9, name="other")
    project = read_project(qdpx(qde(text_source(g(1), "a", sels, content=text), codes=codes)))
    assert [c.name for c in project.codes] == ["First"]
    assert len(project.sources[0].selections) == 1
    assert sum("duplicate GUID" in w for w in project.warnings) == 2


def test_selection_past_the_end_is_clipped_or_unmatched() -> None:
    text = "A short source."
    sels = selection(g(10), 2, 9_999) + selection(g(11), 5_000, 6_000)
    source = read_project(qdpx(qde(text_source(g(1), "a", sels, content=text)))).sources[0]
    clipped, beyond = (anchor(text, s) for s in source.selections)
    assert (clipped.status, clipped.method, clipped.end) == ("re-anchored", "clipped", 15)
    assert not clipped.verified
    assert beyond.status == "unmatched"


def test_selection_past_the_end_with_text_is_found_by_search() -> None:
    text = f"Intro. {QUOTE}"
    source = read_project(qdpx(qde(text_source(g(1), "a", selection(g(10), 900, 941, name=QUOTE),
                                                content=text)))).sources[0]
    placed = anchor(text, source.selections[0])
    assert (placed.status, placed.method, placed.text) == ("re-anchored", "search", QUOTE)


def test_maxqda_description_without_coding() -> None:
    text = f"Memo target. {QUOTE}"
    sel = selection(g(10), 13, 13 + len(QUOTE), codes=(), description="Ask about the tender cycle")
    only = read_project(qdpx(qde(text_source(g(1), "a", sel, content=text)))).sources[0].selections[0]
    assert only.code_guids == ()
    assert only.description == "Ask about the tender cycle"


def test_nvivo_codings_by_two_users_split_into_two_selections() -> None:
    text = f"X. {QUOTE}"
    sel = selection(g(10), 3, 3 + len(QUOTE), name=QUOTE, codes=(CODE_MARKET, CODE_TENDER),
                    coding_users=(USER_A, USER_B))
    sels = read_project(qdpx(qde(text_source(g(1), "a", sel, content=text)))).sources[0].selections
    assert [(s.creator, s.code_guids) for s in sels] == [(USER_A, (CODE_MARKET,)), (USER_B, (CODE_TENDER,))]


def test_pdf_representation_and_skipped_media_sources() -> None:
    text = f"Page one. {QUOTE}"
    rep = text_source(g(2), "rep", selection(g(10), 10, 10 + len(QUOTE), name=QUOTE), path=f"{g(2)}.txt",
                      tag="Representation")
    pdf = (f'<PDFSource guid="{g(1)}" name="strategy.pdf" path="internal://x.pdf">'
           f'<PDFSelection guid="{g(20)}" page="1" firstX="0" firstY="0" secondX="1" secondY="1"/>'
           f"{rep}</PDFSource>"
           f'<AudioSource guid="{g(3)}" name="a.mp3"/>')
    project = read_project(qdpx(qde(pdf), {f"sources/{g(2)}.txt": text.encode()}))
    (source,) = project.sources
    assert (source.kind, source.name, source.text) == ("pdf", "strategy.pdf", text)
    assert anchor(text, source.selections[0]).status == "exact"
    assert any("AudioSource" in w for w in project.warnings)
    assert any("PDFSelection" in w for w in project.warnings)


def test_nvivo_dropped_characters_found_by_loose_search() -> None:
    text = "Intro — we’re told: “tender every year” 🙃 regardless of outcomes."
    name = "we're told: tender every year regardless of outcomes"  # punctuation and emoji dropped
    source = read_project(qdpx(qde(text_source(g(1), "a", selection(g(10), 0, 30, name=name),
                                                content=text)))).sources[0]
    placed = anchor(text, source.selections[0])
    assert placed.status == "re-anchored" and placed.method.endswith("-loose")
    assert placed.text.startswith("we’re") and placed.text.endswith("outcomes")


def test_label_names_keep_the_offsets_on_trust() -> None:
    text = f"Intro. {QUOTE}"
    labelled = selection(g(10), 7, 7 + len(QUOTE), name="Quote 1:3")
    source = read_project(qdpx(qde(text_source(g(1), "a", labelled, content=text)))).sources[0]
    assert source.selections[0].stored_text is None
    placed = anchor(text, source.selections[0])
    assert (placed.status, placed.verified, placed.text) == ("exact", False, QUOTE)


def test_truncated_name_with_ellipsis_anchors_as_prefix() -> None:
    text = f"Intro. {QUOTE} More."
    placed = anchor(text, Selection("g", "We were told to tender…", 7, 7 + len(QUOTE)))
    assert (placed.status, placed.text) == ("exact", QUOTE)


def test_name_cut_short_without_ellipsis_keeps_the_full_span() -> None:
    text = f"Intro.\r\n{QUOTE} More."
    start = text.index(QUOTE)
    exact = anchor(text, Selection("g", "We were told to tender", start, start + len(QUOTE)))
    assert (exact.status, exact.text) == ("exact", QUOTE)
    drifted = anchor(text, Selection("g", "We were told to tender", start - 1, start - 1 + len(QUOTE)))
    assert (drifted.status, drifted.method, drifted.text) == ("re-anchored", "crlf", QUOTE)


def test_descriptive_name_is_not_taken_for_the_text() -> None:
    text = f"Intro. {QUOTE}"
    named = selection(g(10), 7, 7 + len(QUOTE), name="Commissioner on the annual tender cycle")
    source = read_project(qdpx(qde(text_source(g(1), "a", named, content=text)))).sources[0]
    assert source.selections[0].stored_text is None
    placed = anchor(text, source.selections[0])
    assert (placed.status, placed.text, placed.verified) == ("exact", QUOTE, False)


def test_stored_text_not_in_source_is_unmatched() -> None:
    placed = anchor("Nothing relevant here at all.", Selection("g", "", 0, 7, stored_text=QUOTE))
    assert placed.status == "unmatched" and placed.text == ""


def test_nearby_whitespace_normalised_search() -> None:
    text = "x" * 700 + "We were told\n  to tender   every single year." + "y" * 50
    placed = anchor(text, Selection("g", QUOTE, 690, 731))
    assert (placed.status, placed.method, placed.start) == ("re-anchored", "nearby", 700)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=60), start=st.integers(-100, 200), end=st.integers(-100, 200),
       name=st.text(max_size=40))
def test_anchor_never_raises(text: str, start: int, end: int, name: str) -> None:
    placed = anchor(text, Selection("g", name, start, end))
    assert placed.status in ("exact", "re-anchored", "unmatched")
    if placed.status != "unmatched":
        assert text[placed.start:placed.end] == placed.text


# -- hostile archives -------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/passwd", "sources/../../x.txt"])
def test_path_traversal_members_are_refused(member: str) -> None:
    with pytest.raises(UnsafeInputError):
        read_project(qdpx(qde(""), {member: b"x"}))


def test_member_declaring_huge_size_is_refused() -> None:
    data = bytearray(qdpx(qde(""), {"sources/big.txt": b"small"}))
    central = data.rfind(b"PK\x01\x02")  # the last central directory entry: sources/big.txt
    struct.pack_into("<I", data, central + 24, 0xFFFFFFF0)  # declared uncompressed size ~4 GB
    with pytest.raises(UnsafeInputError, match="zip bomb|limit"):
        read_project(bytes(data))


def test_highly_compressed_member_is_refused() -> None:
    with pytest.raises(UnsafeInputError, match="compressed"):
        read_project(qdpx(qde(""), {"sources/zeros.txt": b"\0" * 4_000_000}))


def test_total_declared_size_limit() -> None:
    data = qdpx(qde(""), {"sources/a.txt": os.urandom(3000)})
    with pytest.raises(UnsafeInputError, match="expand"):
        read_project(data, max_total=2000)


def test_hundred_thousand_members_refused_from_the_end_record() -> None:
    # A zip64 end-of-central-directory declaring 100,000 entries, without building them.
    eocd64 = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 100_000, 100_000, 4_600_000, 0)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, 0, 1)
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with pytest.raises(UnsafeInputError, match="100,000 members"):
        read_project(eocd64 + locator + eocd)


def test_member_count_limit_on_a_real_archive() -> None:
    data = qdpx(qde(""), {f"sources/{i}.txt": b"x" for i in range(60)})
    with pytest.raises(UnsafeInputError, match="members"):
        read_project(data, max_members=50)


def test_xml_nested_300_deep_is_refused() -> None:
    deep = f'<Project xmlns="{NS}" name="x"><Description>'.encode() + b"<a>" * 300 + b"</a>" * 300
    deep += b"</Description></Project>"
    with pytest.raises(UnsafeInputError, match="deep"):
        read_project(qdpx(deep))
    with pytest.raises(UnsafeInputError):
        parse_project_xml(b"<a>" * 20 + b"</a>" * 20, max_depth=10)


def test_billion_laughs_is_refused() -> None:
    lol = (b'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY lol "lol">'
           b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
           b'<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>')
    with pytest.raises(UnsafeInputError, match="DTD"):
        read_project(qdpx(lol))


def test_external_entity_is_refused() -> None:
    xxe = (b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>')
    with pytest.raises(UnsafeInputError):
        read_project(qdpx(xxe))


def test_not_a_project() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(DataError, match="project.qde"):
        read_project(buffer.getvalue())


# -- writing ----------------------------------------------------------------------------------


def evidence_rows(text: str) -> list[dict]:
    first = "We were told to tender every single year."
    second = "We co-designed the service with the hospice."
    rows = []
    for passage, mode, media, pole, p in (
        (first, "commodified", ["provider_competition", "managerial_techniques"], "commodified", 0.93),
        (second, "collaborative", ["negotiated_order"], "collaborative", 0.81),
    ):
        start = text.index(passage)
        rows.append({"text": passage, "start": start, "end": start + len(passage), "mode": mode, "p": p,
                     "media": media, "cues": ["tender"] if pole == "commodified" else ["co-design"],
                     "pole": pole})
    return rows


DOC = ("Intro.\r\nWe were told to tender every single year.\r\n"
       "Later: We co-designed the service with the hospice.")


def check_structure(root: etree._Element) -> None:
    """What the REFI-QDA 1.0 schema requires of what we write, checked by hand."""
    q = f"{{{NS}}}"
    assert root.tag == f"{q}Project" and root.get("name")
    for tag in ("User", "Code", "TextSource", "PlainTextSelection", "Coding"):
        for element in root.iter(f"{q}{tag}"):
            assert element.get("guid"), tag
    codes = {c.get("guid") for c in root.iter(f"{q}Code")}
    users = {u.get("guid") for u in root.iter(f"{q}User")}
    assert all(c.get("name") and c.get("isCodable") in ("true", "false") for c in root.iter(f"{q}Code"))
    for sel in root.iter(f"{q}PlainTextSelection"):
        assert int(sel.get("startPosition")) < int(sel.get("endPosition"))
        assert sel.get("creatingUser") in users
    assert all(ref.get("targetGUID") in codes for ref in root.iter(f"{q}CodeRef"))


def test_export_scored_is_valid_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "scored.qdpx"
    warnings = export_scored(path, [("strategy.txt", DOC, evidence_rows(DOC))], "base-1.0")
    assert warnings == []
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        names = archive.namelist()
    check_structure(root)
    if XSD.exists():
        etree.XMLSchema(etree.parse(str(XSD))).assertValid(root)
    assert any(n.startswith("sources/") and n.endswith(".txt") for n in names)

    project = read_project(path)
    assert project.users[0].name == "base-1.0"
    paths = {c.guid: c.path for c in project.codes}
    assert {p for p in paths.values()} >= {"Modes/commodified", "Media of power/provider_competition"}
    source = project.sources[0]
    assert "\r" not in source.text  # written with LF line ends, offsets remapped
    got = []
    for sel in source.selections:
        placed = anchor(source.text, sel)
        assert placed.status == "exact" and placed.verified
        got.append((placed.text, sorted(paths[c].split("/")[-1] for c in sel.code_guids)))
        assert "p = 0.9300" in sel.description or "p = 0.8100" in sel.description
        assert "cues:" in sel.description
    assert got == [
        ("We were told to tender every single year.",
         ["commodified", "managerial_techniques", "provider_competition"]),
        ("We co-designed the service with the hospice.", ["collaborative", "negotiated_order"]),
    ]


def test_export_is_deterministic_and_atomic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    export_scored(first, [("s.txt", DOC, evidence_rows(DOC))], "m")
    export_scored(second, [("s.txt", DOC, evidence_rows(DOC))], "m")
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.qdpx", "b.qdpx"]  # no temporary left over


def test_export_skips_evidence_it_cannot_place(tmp_path: Path) -> None:
    row = {"text": "Nowhere in the document at all.", "start": 0, "end": 5, "mode": "mixed", "p": 0.6,
           "media": [], "cues": [], "pole": "commodified"}
    warnings = export_scored(tmp_path / "x.qdpx", [("s.txt", "Short text.", [row])], "m")
    assert len(warnings) == 1 and "not found" in warnings[0]


def test_export_drops_characters_xml_cannot_carry(tmp_path: Path) -> None:
    text = "Page 1\x0cWe were told to tender\x0c every single year."
    row = {"text": text[7:], "start": 7, "end": len(text), "mode": "commodified", "p": 0.7,
           "media": [], "cues": [], "pole": "commodified"}
    assert export_scored(tmp_path / "ff.qdpx", [("ff.pdf", text, [row])], "m") == []
    source = read_project(tmp_path / "ff.qdpx").sources[0]
    assert source.text == text  # the source file keeps the text as it was
    assert anchor(source.text, source.selections[0]).status == "exact"


def test_codebook_codes_cover_modes_and_media() -> None:
    codes = codebook_codes()
    assert [c.name for c in codes if c.parent == codes[0].guid] == list(MODES)
    assert [c.name for c in codes if c.parent and c.parent != codes[0].guid] == list(MEDIA)


def test_write_project_rejects_bad_selections(tmp_path: Path) -> None:
    code = Code(make_guid("code", "x"), "x", "x")
    src = Source(make_guid("source", "s"), "s.txt", "Some text.")
    too_long = Selection(make_guid("s", "1"), "", 0, 99, (code.guid,))
    with pytest.raises(DataError, match="outside"):
        write_project(tmp_path / "p.qdpx", [src], [code], {src.guid: [too_long]}, "me")
    unknown = Selection(make_guid("s", "1"), "", 0, 4, (make_guid("code", "y"),))
    with pytest.raises(DataError, match="unknown code"):
        write_project(tmp_path / "p.qdpx", [src], [code], {src.guid: [unknown]})
    assert not (tmp_path / "p.qdpx").exists()
