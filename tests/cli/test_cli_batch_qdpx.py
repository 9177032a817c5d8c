"""`batch --qdpx`: the machine's coding of a whole batch, back in the researcher's QDA tool."""

from pathlib import Path

from click.testing import CliRunner

from vcse_modes.cli import main
from vcse_modes.qdpx import read_project

CASES = Path(__file__).resolve().parents[2] / "examples" / "cases"


def test_batch_writes_a_project_whose_selections_are_the_evidence(tmp_path, tiny_model_dir):
    out, project_path = tmp_path / "out", tmp_path / "batch.qdpx"
    result = CliRunner().invoke(main, ["batch", str(CASES), "--out", str(out), "--model", str(tiny_model_dir),
                                       "--qdpx", str(project_path)])
    assert result.exit_code == 0, result.output
    project = read_project(project_path)
    documents = sorted(p.relative_to(CASES).as_posix() for p in CASES.rglob("*") if p.is_file())
    assert sorted(source.name for source in project.sources) == documents
    selections = [s for source in project.sources for s in source.selections]
    assert selections, "evidence passages become coded selections"
    for source in project.sources:
        for selection in source.selections:
            assert source.text[selection.start : selection.end].strip()
            assert selection.code_guids
