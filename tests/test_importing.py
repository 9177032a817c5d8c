"""Importing coded exports (tables and REFI-QDA projects) through a code map."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from vcse_modes import MEDIA
from vcse_modes.corpus import excerpt_from_record
from vcse_modes.errors import DataError, UnsupportedFormatError
from vcse_modes.importing import CodeMap, combine_modes, import_coded, load_code_map
from vcse_modes.qdpx import export_scored

NS = "urn:QDA-XML:project:1.0"
ALICE, BOB = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"

MAP_TOML = """
[modes]
"Commissioning modes/Market-based" = "commodified"
"Partnership" = "collaborative"
[media]
"Power/Tendering" = "provider_competition"
"Power / Money" = ["resource_dependencies", "managerial_techniques"]
"""

# Codebook: Commissioning modes/Market-based, Themes/Partnership, Power/Tendering, Power/Money, Themes/Lunch
CODES = {
    "modes": "c0000000-0000-4000-8000-000000000001",
    "market": "c0000000-0000-4000-8000-000000000002",
    "themes": "c0000000-0000-4000-8000-000000000003",
    "partnership": "c0000000-0000-4000-8000-000000000004",
    "power": "c0000000-0000-4000-8000-000000000005",
    "tendering": "c0000000-0000-4000-8000-000000000006",
    "money": "c0000000-0000-4000-8000-000000000007",
    "lunch": "c0000000-0000-4000-8000-000000000008",
}
CODEBOOK = (
    f'<Code guid="{CODES["modes"]}" name="Commissioning modes" isCodable="false">'
    f'<Code guid="{CODES["market"]}" name="Market-based" isCodable="true"/></Code>'
    f'<Code guid="{CODES["themes"]}" name="Themes" isCodable="false">'
    f'<Code guid="{CODES["partnership"]}" name="Partnership" isCodable="true"/>'
    f'<Code guid="{CODES["lunch"]}" name="Lunch" isCodable="true"/></Code>'
    f'<Code guid="{CODES["power"]}" name="Power" isCodable="false">'
    f'<Code guid="{CODES["tendering"]}" name="Tendering" isCodable="true"/>'
    f'<Code guid="{CODES["money"]}" name="Money" isCodable="true"/></Code>'
)

TENDER = "We were told to tender every single year."
PARTNER = "The hospice sits on the partnership board with us."
LUNCH = "Then we all went for a sandwich lunch together."
TEXT = f"Interviewer: Tell me.\r\nRespondent: {TENDER}\r\n{PARTNER}\r\n{LUNCH}"


def sel(n: int, text: str, codes: list[str], *, user: str = ALICE, atlas: bool = True,
        description: str | None = None) -> str:
    start = TEXT.index(text)
    if atlas:  # ATLAS.ti-style offsets: CRLF counted as one character
        start -= TEXT[:start].count("\r\n")
    codings = "".join(
        f'<Coding guid="d0000000-0000-4000-8000-{n:06d}{i:06d}" creatingUser="{user}">'
        f'<CodeRef targetGUID="{CODES[c]}"/></Coding>' for i, c in enumerate(codes)
    )
    desc = f"<Description>{description}</Description>" if description else ""
    return (f'<PlainTextSelection guid="e0000000-0000-4000-8000-{n:012d}" name="{text}" '
            f'startPosition="{start}" endPosition="{start + len(text)}" creatingUser="{user}">'
            f"{desc}{codings}</PlainTextSelection>")


def project(selections: str, *, with_file: bool = True) -> bytes:
    qde = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="t">'
           f'<Users><User guid="{ALICE}" name="Alice"/><User guid="{BOB}" name="Bob"/></Users>'
           f"<CodeBook><Codes>{CODEBOOK}</Codes></CodeBook><Sources>"
           f'<TextSource guid="f0000000-0000-4000-8000-000000000001" name="interview-07" '
           f'plainTextPath="internal://f0000000-0000-4000-8000-000000000001.txt">{selections}</TextSource>'
           f"</Sources></Project>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        if with_file:
            archive.writestr("sources/f0000000-0000-4000-8000-000000000001.txt", TEXT.encode())
    return buffer.getvalue()


@pytest.fixture
def code_map(tmp_path: Path) -> CodeMap:
    path = tmp_path / "map.toml"
    path.write_text(MAP_TOML, encoding="utf-8")
    return load_code_map(path)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# -- code map ---------------------------------------------------------------------------------


def test_code_map_matches_path_leaf_and_parent(code_map: CodeMap) -> None:
    assert code_map.lookup("Commissioning modes/Market-based") == ("commodified", ())
    assert code_map.lookup("  commissioning MODES / market-based ") == ("commodified", ())
    assert code_map.lookup("Themes/Partnership") == ("collaborative", ())  # by leaf
    assert code_map.lookup("Power\\Tendering") == (None, ("provider_competition",))  # MAXQDA separator
    assert code_map.lookup("Power/Tendering/Framework lots") == (None, ("provider_competition",))  # parent
    assert code_map.lookup("Power/Money") == (None, ("resource_dependencies", "managerial_techniques"))
    assert code_map.lookup("Themes/Lunch") == (None, ())
    assert code_map.lookup("Modes/mixed") == ("mixed", ())  # our own ids map to themselves


@pytest.mark.parametrize(("toml", "message"), [
    ('[modes]\n"X" = "marketised"\n', "unknown id"),
    ('[media]\n"X" = ["provider_competition", "power"]\n', "unknown id"),
    ('[modes]\n"X" = ["commodified", "mixed"]\n', "expected a mode id"),
    ('[codes]\n"X" = "commodified"\n', "unknown table"),
    ('[modes]\n"X" = "commodified"\n" x " = "collaborative"\n', "twice"),
    ("[modes\n", "not valid TOML"),
])
def test_code_map_errors(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_code_map(write(tmp_path, "bad.toml", toml))


def test_combine_modes() -> None:
    assert combine_modes(["commodified", "commodified"]) == "commodified"
    assert combine_modes(["commodified", "collaborative"]) == "mixed"
    assert combine_modes(["mixed", "neither"]) == "mixed"
    assert combine_modes(["neither"]) == "neither"


# -- REFI-QDA ---------------------------------------------------------------------------------


def test_qdpx_import_maps_merges_and_reports(tmp_path: Path, code_map: CodeMap) -> None:
    selections = "".join([
        sel(1, TENDER, ["market"]),                  # Alice: mode by path
        sel(2, TENDER, ["tendering"]),               # Alice again, same span: merged (adds the medium)
        sel(3, TENDER, ["partnership"], user=BOB),   # Bob, same span: a separate excerpt
        sel(4, PARTNER, ["partnership", "money"]),   # mode by leaf, two media from a list
        sel(5, LUNCH, ["lunch"]),                    # unmapped code
        sel(6, LUNCH, ["tendering"], user=BOB),      # media but no mode
        sel(7, PARTNER, [], description="MAXQDA memo: ask about the board"),  # no coding at all
        sel(8, PARTNER, ["market", "partnership"], user=BOB, atlas=False),  # two modes: mixed; exact offsets
    ])
    result = import_coded([write(tmp_path, "team.qdpx", project(selections))], code_map)
    by = {(e["coder"], e["text"]): e for e in result.excerpts}
    assert by[("Alice", TENDER)]["mode"] == "commodified"
    assert by[("Alice", TENDER)]["media"] == ["provider_competition"]
    assert by[("Bob", TENDER)]["mode"] == "collaborative"
    assert by[("Alice", PARTNER)]["media"] == ["managerial_techniques", "resource_dependencies"]
    assert by[("Bob", PARTNER)]["mode"] == "mixed"
    assert len(result.excerpts) == 4
    assert result.unmapped_codes == {"Themes/Lunch": 1}
    assert result.skipped == {"uncoded": 1, "no_mode": 2}
    assert result.media_without_mode == ["e0000000-0000-4000-8000-000000000006"]
    assert any("media but no mode" in w for w in result.warnings)

    statuses = {row["selection"][-2:]: (row["status"], row["method"]) for row in result.validation}
    assert statuses["01"] == ("re-anchored", "crlf")
    assert statuses["08"] == ("exact", "offsets")
    assert len(result.validation) == 8
    memo = next(r for r in result.validation if r["selection"].endswith("07"))
    assert "no coding" in memo["note"]

    excerpt = by[("Alice", TENDER)]
    assert excerpt["group"] == "interview-07"
    assert excerpt["unit"] == f"interview-07:{TEXT.index(TENDER)}-{TEXT.index(TENDER) + len(TENDER)}"
    assert excerpt["unit"] == by[("Bob", TENDER)]["unit"]  # same span, same unit for agreement
    for record in result.excerpts:
        excerpt_from_record(record)  # the corpus schema accepts every excerpt


def test_qdpx_spans_are_trimmed_so_units_match(tmp_path: Path, code_map: CodeMap) -> None:
    start = TEXT.index(PARTNER)
    padded = (f'<PlainTextSelection guid="e0000000-0000-4000-8000-000000000099" name="x" '
              f'startPosition="{start - 1}" endPosition="{start + len(PARTNER) + 2}" creatingUser="{BOB}">'
              f'<Coding guid="d0000000-0000-4000-8000-000000000099" creatingUser="{BOB}">'
              f'<CodeRef targetGUID="{CODES["partnership"]}"/></Coding></PlainTextSelection>')
    data = project(sel(1, PARTNER, ["market"], atlas=False) + padded)
    result = import_coded([write(tmp_path, "p.qdpx", data)], code_map)
    alice, bob = sorted(result.excerpts, key=lambda e: e["coder"])
    assert bob["text"] == PARTNER and alice["unit"] == bob["unit"]


def test_qdpx_missing_source_falls_back_to_stored_text(tmp_path: Path, code_map: CodeMap) -> None:
    result = import_coded([write(tmp_path, "p.qdpx", project(sel(1, TENDER, ["market"]), with_file=False))],
                          code_map)
    assert [e["text"] for e in result.excerpts] == [TENDER]
    (row,) = result.validation
    assert row["status"] == "unmatched" and "source text missing" in row["note"]
    assert any("missing from the archive" in w for w in result.warnings)


def test_export_then_import_round_trip(tmp_path: Path) -> None:
    text = "Intro.\nWe were told to tender every single year.\nWe co-designed the service with the hospice."
    rows = []
    for passage, mode, media in ((TENDER, "commodified", ["provider_competition"]),
                                 ("We co-designed the service with the hospice.", "collaborative",
                                  ["negotiated_order", "discursive_control"])):
        start = text.index(passage)
        rows.append({"text": passage, "start": start, "end": start + len(passage), "mode": mode, "p": 0.9,
                     "media": media, "cues": [], "pole": mode})
    path = tmp_path / "scored.qdpx"
    export_scored(path, [("strategy.txt", text, rows)], "base-1.0")
    result = import_coded([path])  # the default map knows our own code names
    got = sorted((e["text"], e["mode"], e["media"], e["coder"]) for e in result.excerpts)
    want = sorted((r["text"], r["mode"], [m for m in MEDIA if m in r["media"]], "base-1.0") for r in rows)
    assert got == want
    assert result.unmapped_codes == {}
    assert {r["status"] for r in result.validation} == {"exact"}


# -- tables -----------------------------------------------------------------------------------


def test_csv_with_default_columns_and_code_separators(tmp_path: Path, code_map: CodeMap) -> None:
    csv_text = (
        "id,text,codes,source,speaker_role\n"
        f'r1,"{TENDER}",Commissioning modes/Market-based; Power/Tendering,int-1,Commissioner\n'
        f'r2,"{PARTNER}",Partnership|Lunch,int-1,vcse\n'
        f'r3,"{LUNCH}",Lunch,int-2,vcse\n'
        'r4,"",Partnership,int-2,vcse\n'
        'r5,"No codes at all here.",,int-2,vcse manager\n'
    )
    result = import_coded([write(tmp_path, "nvivo.csv", csv_text)], code_map)
    assert [(e["id"], e["mode"], e["media"], e["speaker_role"]) for e in result.excerpts] == [
        ("r1", "commodified", ["provider_competition"], "commissioner"),
        ("r2", "collaborative", [], "vcse"),
    ]
    assert result.unmapped_codes == {"Lunch": 2}
    assert result.skipped == {"no_text": 1, "uncoded": 1, "no_mode": 1}
    assert result.excerpts[0]["group"] == "int-1" and result.excerpts[0]["unit"] == "r1"
    assert any("vcse manager" in w for w in result.warnings)


def test_maxqda_semicolon_csv_with_aliases_merges_rows(tmp_path: Path, code_map: CodeMap) -> None:
    csv_text = (
        "Document name;Code;Segment;Modified by\n"
        f"int-1;Commissioning modes\\Market-based;{TENDER};anna\n"
        f"int-1;Power\\Tendering;{TENDER};anna\n"
        f"int-1;Partnership;{TENDER};ben\n"
    )
    result = import_coded([write(tmp_path, "maxqda.csv", csv_text.encode("utf-8-sig"))], code_map)
    got = sorted((e["coder"], e["mode"], tuple(e["media"])) for e in result.excerpts)
    assert got == [("anna", "commodified", ("provider_competition",)), ("ben", "collaborative", ())]
    anna, ben = sorted(result.excerpts, key=lambda e: e["coder"])
    assert anna["unit"] == ben["unit"]  # same document and text: the same unit


def test_tsv_with_column_mapping(tmp_path: Path, code_map: CodeMap) -> None:
    tsv = f"Quote\tTag\tDoc\n{TENDER}\tMarket-based\tA\n"
    result = import_coded([write(tmp_path, "x.tsv", tsv)], code_map,
                          columns={"text": "quote", "code": "Tag", "source": "doc"})
    assert [(e["mode"], e["group"]) for e in result.excerpts] == [("commodified", "A")]
    with pytest.raises(DataError, match="no column 'Missing'"):
        import_coded([write(tmp_path, "y.tsv", tsv)], code_map, columns={"text": "Missing"})


def test_xlsx_import(tmp_path: Path, code_map: CodeMap) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Coded text", "Code", "Document"])
    sheet.append([TENDER, "Market-based", "int-9"])
    sheet.append([PARTNER, "Partnership", "int-9"])
    path = tmp_path / "atlas.xlsx"
    book.save(path)
    result = import_coded([path], code_map)
    assert [(e["text"], e["mode"]) for e in result.excerpts] == [(TENDER, "commodified"),
                                                                  (PARTNER, "collaborative")]


def test_jsonl_with_code_lists_and_direct_labels(tmp_path: Path, code_map: CodeMap) -> None:
    lines = [
        {"id": "j1", "text": TENDER, "codes": ["Market-based", "Power/Tendering"]},
        {"id": "j2", "text": PARTNER, "mode": "collaborative", "media": ["negotiated_order"]},
    ]
    path = write(tmp_path, "coded.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    result = import_coded([path], code_map, defaults={"genre": "interview", "tracer": "end_of_life"})
    assert [(e["id"], e["mode"], e["media"], e["genre"], e["tracer"]) for e in result.excerpts] == [
        ("j1", "commodified", ["provider_competition"], "interview", "end_of_life"),
        ("j2", "collaborative", ["negotiated_order"], "interview", "end_of_life"),
    ]


def test_direct_label_typos_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", json.dumps({"text": TENDER, "mode": "commodifed"}) + "\n")
    with pytest.raises(DataError, match="unknown mode 'commodifed'"):
        import_coded([path])


def test_unsupported_and_columnless_inputs(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError):
        import_coded([write(tmp_path, "notes.docx", b"x")])
    with pytest.raises(DataError, match="no text column"):
        import_coded([write(tmp_path, "t.csv", "a,b\n1,2\n")])
    with pytest.raises(DataError, match="no code column"):
        import_coded([write(tmp_path, "u.csv", "text\nhello\n")])
