"""The codebook: loading, completeness, grounding in the seeds, and its renderings."""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from vcse_modes import MEDIA, MODES
from vcse_modes.codebook import (
    GUID_NAMESPACE,
    POLES,
    QDC_NAMESPACE,
    Codebook,
    code_guid,
    load_codebook,
    parse_codebook,
    to_json,
    to_markdown,
    to_qdc,
    to_rows,
)
from vcse_modes.errors import DataError

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "codebook.md"
TOML = REPO / "vcse_modes" / "data" / "codebook.toml"
SEEDS = next((p for p in (REPO.parent / "shared" / "seeds", REPO / "shared" / "seeds") if p.is_dir()), None)
NS = {"q": QDC_NAMESPACE}

# The REFI-QDA Codebook 1.0 constraints (QDA-XML, urn:QDA-XML:codebook:1.0) restated as an XSD:
# CodeBook(origin?) > Codes > Code+ ; Code = Description?, Code* ; guid, name, isCodable required;
# guid is an 8-4-4-4-12 hex GUID (optionally in braces); color is #RGB or #RRGGBB; Sets optional.
CODEBOOK_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    targetNamespace="urn:QDA-XML:codebook:1.0" elementFormDefault="qualified"
    attributeFormDefault="unqualified" version="1.0">
  <xsd:element name="CodeBook" type="CodeBookType"/>
  <xsd:complexType name="CodeBookType">
    <xsd:sequence>
      <xsd:element name="Codes" type="CodesType"/>
      <xsd:element name="Sets" type="SetsType" minOccurs="0"/>
    </xsd:sequence>
    <xsd:attribute name="origin" type="xsd:string"/>
  </xsd:complexType>
  <xsd:complexType name="CodesType">
    <xsd:sequence><xsd:element name="Code" type="CodeType" maxOccurs="unbounded"/></xsd:sequence>
  </xsd:complexType>
  <xsd:complexType name="CodeType">
    <xsd:sequence>
      <xsd:element name="Description" type="xsd:string" minOccurs="0"/>
      <xsd:element name="Code" type="CodeType" minOccurs="0" maxOccurs="unbounded"/>
    </xsd:sequence>
    <xsd:attribute name="guid" type="GUIDType" use="required"/>
    <xsd:attribute name="name" type="xsd:string" use="required"/>
    <xsd:attribute name="isCodable" type="xsd:boolean" use="required"/>
    <xsd:attribute name="color" type="RGBType"/>
  </xsd:complexType>
  <xsd:complexType name="SetsType">
    <xsd:sequence><xsd:element name="Set" type="SetType" maxOccurs="unbounded"/></xsd:sequence>
  </xsd:complexType>
  <xsd:complexType name="SetType">
    <xsd:sequence>
      <xsd:element name="Description" type="xsd:string" minOccurs="0"/>
      <xsd:element name="MemberCode" type="MemberCodeType" minOccurs="0" maxOccurs="unbounded"/>
    </xsd:sequence>
    <xsd:attribute name="guid" type="GUIDType" use="required"/>
    <xsd:attribute name="name" type="xsd:string" use="required"/>
  </xsd:complexType>
  <xsd:complexType name="MemberCodeType">
    <xsd:attribute name="guid" type="GUIDType" use="required"/>
  </xsd:complexType>
  <xsd:simpleType name="GUIDType">
    <xsd:restriction base="xsd:token">
      <xsd:pattern value="{GUID}|(\\{{GUID}\\})"/>
    </xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="RGBType">
    <xsd:restriction base="xsd:token">
      <xsd:pattern value="#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})"/>
    </xsd:restriction>
  </xsd:simpleType>
</xsd:schema>
""".replace("{GUID}", "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return load_codebook()


# -- loading and completeness ----------------------------------------------------------------


def test_loads_with_package_ids_in_order(cb: Codebook) -> None:
    assert cb.mode_ids == MODES
    assert cb.medium_ids == MEDIA
    assert cb.poles == POLES
    assert re.fullmatch(r"\d+\.\d+\.\d+", cb.version)
    assert "not whether the speaker approves" in cb.rule


def test_default_codebook_is_cached_and_path_loading_matches(cb: Codebook) -> None:
    assert load_codebook() is cb
    assert load_codebook(TOML) == cb


def test_every_mode_is_complete(cb: Codebook) -> None:
    for mode in cb.modes:
        assert mode.label and len(mode.definition) > 80, mode.id
        assert mode.include and mode.exclude and mode.seeds, mode.id
        assert re.fullmatch(r"#[0-9A-F]{6}", mode.color)


def test_every_medium_is_complete(cb: Codebook) -> None:
    for medium in cb.media:
        assert medium.label and len(medium.definition) > 80, medium.id
        assert len(medium.commodified_form) > 60 and len(medium.collaborative_form) > 60, medium.id
        assert medium.include and medium.exclude and medium.seeds, medium.id
        for pole in POLES:
            assert medium.cues_for(pole), (medium.id, pole)
        assert 25 <= len(medium.cues) <= 60, (medium.id, len(medium.cues))


def test_no_duplicate_cue_within_a_pole(cb: Codebook) -> None:
    for medium in cb.media:
        for pole in POLES:
            phrases = [c.phrase.lower() for c in medium.cues_for(pole)]
            assert len(phrases) == len(set(phrases)), (medium.id, pole)


def test_only_declared_mixed_devices_sit_in_two_lists(cb: Codebook) -> None:
    lists: dict[str, set[tuple[str, str]]] = {}
    for cue in cb.cue_patterns():
        lists.setdefault(cue.phrase.lower(), set()).add((cue.medium, cue.pole))
    shared = {phrase for phrase, where in lists.items() if len(where) > 1}
    assert shared == {
        "alliance contract",
        "alliance agreement",
        "grant monitoring",
        "grant conditions",
        "grant agreement",
        "provider selection regime",
        "direct award",
        "most suitable provider",
        "care act",
    }


def test_contrast_and_negation_cues_are_loaded(cb: Codebook) -> None:
    phrases = {(c.kind, c.phrase) for c in cb.contrast}
    for expected in [
        ("after", "rather than"),
        ("after", "instead of"),
        ("after", "as opposed to"),
        ("after", "not just"),
        ("after", "less reliance on"),
        ("from", "no longer"),
        ("from", "move away from"),
        ("from", "shift from"),
        ("replace", "replace"),
    ]:
        assert expected in phrases
    assert {"not", "no", "never", "without", "n't"} <= set(cb.negation)
    assert cb.contrast_window >= 6 and cb.negation_window >= 1


def test_seed_citations_name_real_files_and_headings(cb: Codebook) -> None:
    if SEEDS is None:
        pytest.skip("shared/seeds is not beside the repository")
    citations = {s for m in cb.modes for s in m.seeds} | {s for m in cb.media for s in m.seeds}
    for citation in citations:
        match = re.fullmatch(r"seeds/(\S+) §(.+)", citation)
        assert match, citation
        path = SEEDS / match.group(1)
        assert path.is_file(), citation
        heading = match.group(2)
        text = path.read_text(encoding="utf-8")
        assert heading in text, f"heading not in seed: {citation}"


def test_bad_codebooks_raise_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        parse_codebook("version = [", "broken.toml")
    text = TOML.read_text(encoding="utf-8")
    with pytest.raises(DataError, match="medium ids"):
        parse_codebook(text.replace('id = "juridical_control"', 'id = "legal"'), "renamed.toml")
    with pytest.raises(DataError, match="cues"):
        bad = text.replace('commodified = [\n  "contract",', "commodified = [\n  1,", 1)
        assert bad != text
        parse_codebook(bad, "bad.toml")
    with pytest.raises(DataError):
        load_codebook(tmp_path / "missing.toml")


# -- renderings ------------------------------------------------------------------------------


def test_markdown_mentions_every_code_and_cue(cb: Codebook) -> None:
    md = to_markdown(cb)
    assert md.startswith("# ")
    for code_id in MODES + MEDIA:
        assert f"`{code_id}`" in md
    assert "`competitive tender`" in md and "`co-production`" in md
    assert cb.rule in md


def test_json_is_stable_sorted_and_complete(cb: Codebook) -> None:
    text = to_json(cb)
    assert text == to_json(load_codebook(TOML))
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert [m["id"] for m in data["modes"]] == list(MODES)
    assert [m["id"] for m in data["media"]] == list(MEDIA)
    for medium in data["media"]:
        assert set(medium["cues"]) == set(POLES)
        for pole in POLES:
            assert medium["cues"][pole] == sorted(medium["cues"][pole], key=str.lower)
    assert data["contrast"]["after"][0] == "rather than"


def test_rows_have_one_row_per_code_with_uniform_keys(cb: Codebook) -> None:
    rows = to_rows(cb)
    assert [r["id"] for r in rows] == list(MODES + MEDIA)
    assert len({tuple(r) for r in rows}) == 1
    cue_rows = to_rows(cb, cues=True)
    assert len(cue_rows) == sum(1 for _ in cb.cue_patterns())
    assert {"medium", "pole", "phrase"} == set(cue_rows[0])


def test_qdc_is_well_formed_in_the_refi_namespace(cb: Codebook) -> None:
    data = to_qdc(cb)
    assert data.startswith(b"<?xml")
    root = ET.fromstring(data)
    assert root.tag == f"{{{QDC_NAMESPACE}}}CodeBook"
    parents = root.findall("q:Codes/q:Code", NS)
    assert [p.get("name") for p in parents] == ["Modes", "Media of power"]
    assert [c.get("name") for c in parents[0].findall("q:Code", NS)] == list(MODES)
    assert [c.get("name") for c in parents[1].findall("q:Code", NS)] == list(MEDIA)
    for code in root.iter(f"{{{QDC_NAMESPACE}}}Code"):
        uuid.UUID(code.get("guid"))
        assert re.fullmatch(r"#[0-9A-F]{6}", code.get("color"))
        assert code.get("isCodable") in {"true", "false"}
        assert code.find("q:Description", NS).text
        assert list(code)[0].tag == f"{{{QDC_NAMESPACE}}}Description"  # Description precedes child codes
    leaves = [c for c in root.iter(f"{{{QDC_NAMESPACE}}}Code") if not c.findall("q:Code", NS)]
    assert len(leaves) == len(MODES) + len(MEDIA)
    assert all(c.get("isCodable") == "true" for c in leaves)
    guids = [c.get("guid") for c in root.iter(f"{{{QDC_NAMESPACE}}}Code")]
    assert len(guids) == len(set(guids))


def test_qdc_guids_are_deterministic(cb: Codebook) -> None:
    assert to_qdc(cb) == to_qdc(load_codebook(TOML))
    assert code_guid("medium", "provider_competition") == str(
        uuid.uuid5(GUID_NAMESPACE, "medium:provider_competition")
    )
    # Pinned: a GUID must never change, or QDA projects lose their link to the code.
    assert uuid.uuid5(uuid.NAMESPACE_URL, "urn:vcse-modes:codebook") == GUID_NAMESPACE
    root = ET.fromstring(to_qdc(cb))
    by_name = {c.get("name"): c.get("guid") for c in root.iter(f"{{{QDC_NAMESPACE}}}Code")}
    assert by_name["commodified"] == code_guid("mode", "commodified")


def test_qdc_validates_against_the_codebook_schema(cb: Codebook) -> None:
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.fromstring(CODEBOOK_XSD.encode("utf-8")))
    document = etree.fromstring(to_qdc(cb))
    assert schema.validate(document), schema.error_log


# -- docs/codebook.md --------------------------------------------------------------------------


def test_human_codebook_mentions_every_id_and_boundary_case() -> None:
    text = DOC.read_text(encoding="utf-8")
    for code_id in MODES + MEDIA:
        assert f"`{code_id}`" in text, code_id
    lowered = text.lower()
    for topic in [
        "alliance contract",
        "lead provider",
        "grants with heavy monitoring",
        "provider selection regime",
        "social value clause",
        "information governance",
        "volunteers",
        "underfunding",
        "covid",
        "complaint about tendering",
        "partnership rather than purchasing",
        "coding-conventions.md",
    ]:
        assert topic in lowered, topic
    assert re.search(r"^## Amendments\s*$", text, flags=re.MULTILINE)
    assert text.rstrip().splitlines()[-1].strip()  # the Amendments heading carries its sentence


def test_human_codebook_cites_seed_sections() -> None:
    text = DOC.read_text(encoding="utf-8")
    cited = set(re.findall(r"seeds/(\d{3}_[0-9a-f]+\.txt) §", text))
    assert {"000_ae3976b584e75f41.txt", "001_0b4f657611cdf2dc.txt", "002_d7aff75e9b7b2453.txt"} <= cited
    if SEEDS is not None:
        for name in cited:
            assert (SEEDS / name).is_file(), name
