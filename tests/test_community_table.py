"""One's own community from a table (issue 9, item 13).

``--community`` and ``sim community import`` take a CSV or XLSX table with one
row per compound; every bad cell is one line naming file, row, column and what
is allowed, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import sim
from sim.cli import main
from sim.communities import resolve_community
from sim.errors import ConfigError

EXAMPLES = Path(__file__).resolve().parent.parent / "configs" / "communities" / "examples"
CSV = EXAMPLES / "my_community.csv"
XLSX = EXAMPLES / "my_community.xlsx"
NAMES = ["幸福里小区", "光明路单位宿舍", "滨江花园", "老街农转非房"]
HEADER = "compound,households,buildings,firm,floating_share"


def read_community_table(path: Path, name: str | None = None) -> dict:
    """The table reader, imported late so the tests above run (and fail) without it."""
    from sim.communities import read_community_table as read

    return read(path, name=name)


def write(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    """Write a table and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_resolve_community_reads_the_example_csv_and_xlsx() -> None:
    """A table path gives the community mapping; the XLSX (Chinese headers) equals the CSV."""
    data = resolve_community(str(CSV))
    assert isinstance(data, dict)
    assert data["name"] == "my_community"
    assert [g["name"] for g in data["groups"]] == NAMES
    assert [g["households"] for g in data["groups"]] == [240, 96, 480, 60]
    assert [g["firm"] for g in data["groups"]] == [False, False, True, False]
    assert data["groups"][0]["open_matters"] == ["lights"]
    assert all(g["count"] == 1 for g in data["groups"])
    from_xlsx = resolve_community(str(XLSX))
    assert isinstance(from_xlsx, dict)
    assert from_xlsx["groups"] == data["groups"]


def test_model_runs_on_a_community_imported_from_the_example_table() -> None:
    """CompoundModel on the imported table: four compounds, their households and names."""
    scn = sim.load_config("baseline").override({"community": resolve_community(str(CSV)),
                                                "run.steps": 3})
    model = sim.CompoundModel(scn, rng=1)
    model.run(3)
    assert model.n_compounds == 4
    assert model.population.n == 240 + 96 + 480 + 60
    assert list(model.compounds.households) == [240, 96, 480, 60]
    per = model.compound_dataframe()
    assert per.groupby("compound")["group"].first().tolist() == NAMES


def test_chinese_headers_yes_no_words_percent_and_gb18030(tmp_path: Path) -> None:
    """Chinese headers are aliases; 有/无, percentages and Chinese Excel's encoding are read."""
    text = "小区,户数,楼栋数,有无物业,流动人口比例,待解决事项\n一号院,30,2,有,35%,lights；drains\n"
    path = write(tmp_path, text, encoding="gb18030")
    group = read_community_table(path)["groups"][0]
    assert (group["name"], group["households"], group["buildings"]) == ("一号院", 30, 2)
    assert group["firm"] is True
    assert group["floating_share"] == pytest.approx(0.35)
    assert group["open_matters"] == ["lights", "drains"]


def test_empty_optional_cells_take_defaults_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    """An empty optional cell is the schema's default; a wholly empty row is not a compound."""
    path = write(tmp_path, HEADER + ",condition\nA,10,2,0,0.1,\n,,,,,\nB,10,2,1,0.1,0.9\n")
    groups = read_community_table(path)["groups"]
    assert [g["name"] for g in groups] == ["A", "B"]
    assert groups[0]["condition"] == sim.config.CompoundGroup(name="x").condition
    assert groups[1]["condition"] == 0.9


BAD_TABLES = [
    # (table text, what the one-line error must contain)
    (HEADER + ",housholds\nA,10,2,0,0.1,3\n", ["column F", "did you mean 'households'"]),
    ("compound,households,buildings,floating_share\nA,10,2,0.1\n",
     ["missing column", "firm"]),
    (HEADER + "\n", ["has no compounds"]),
    ("", ["missing column"]),
    (HEADER + "\nA,10,2,0,0.1\nA,20,2,0,0.1\n", ["row 3", "column A", "already in row 2"]),
    (HEADER + "\nA,abc,2,0,0.1\n", ["row 2", "column B (households)", "not a number",
                                    "whole number in [1, 1000000]"]),
    (HEADER + "\nA,10.5,2,0,0.1\n", ["row 2", "column B", "whole number"]),
    (HEADER + "\nA,10,2,0,nan\n", ["row 2", "column E (floating_share)", "finite"]),
    (HEADER + "\nA,10,2,0,inf\n", ["column E", "finite"]),
    (HEADER + "\nA,10,-2,0,0.1\n", ["row 2", "column C (buildings)", "[1, 10000]", "-2"]),
    (HEADER + "\nA,10,2,0,1.5\n", ["column E", "[0, 1]", "1.5"]),
    (HEADER + "\nA,3,5,0,0.1\n", ["row 2", "column B (households)", "3 households in 5"]),
    (HEADER + "\nA,10,2,maybe,0.1\n", ["row 2", "column D (firm)", "0 or 1"]),
    (HEADER + "\nA,10,2,2,0.1\n", ["column D (firm)", "0 or 1"]),
    (HEADER + "\nA,,2,0,0.1\n", ["row 2", "column B", "is empty; required"]),
    (HEADER + ",open_matters\nA,10,2,0,0.1,lightz\n", ["column F", "did you mean 'lights'"]),
    (HEADER + "\nA,10,2,0,0.1,7\n", ["row 2", "6 cells", "5 headers"]),
    (HEADER + ",户数\nA,10,2,0,0.1,10\n", ["column F", "repeats column B"]),
    (HEADER + ",\nA,10,2,0,0.1,x\n", ["column F", "no header"]),
]


@pytest.mark.parametrize(("text", "expected"), BAD_TABLES)
def test_bad_table_is_one_line_naming_file_row_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
        expected: list[str]) -> None:
    """Every bad table is refused by import with one line, exit 2, and nothing written."""
    table = write(tmp_path, text)
    out = tmp_path / "out.yaml"
    assert main(["community", "import", str(table), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sim: error: ")
    assert str(table) in err
    for part in expected:
        assert part in err, (part, err)
    assert not out.exists()
    with pytest.raises(ConfigError):
        resolve_community(str(table))


def test_import_writes_an_editable_yaml_equal_to_the_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The YAML names its table, reads back as the same community, and is not overwritten."""
    out = tmp_path / "mine.yaml"
    assert main(["community", "import", str(CSV), "--out", str(out), "--name", "mine"]) == 0
    assert "4" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Community imported")
    assert str(CSV) in text.splitlines()[1]
    assert "can be edited" in text and "可以直接编辑" in text
    assert yaml.safe_load(text)["kind"] == "community"
    assert "幸福里小区" in text  # written as characters, not escapes
    back = resolve_community(str(out))
    assert back == read_community_table(CSV, name="mine")
    before = out.read_text(encoding="utf-8")
    assert main(["community", "import", str(XLSX), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == before
    assert main(["community", "import", str(XLSX), "--out", str(out), "--force"]) == 0
    assert resolve_community(str(out))["name"] == "my_community"


def test_import_refuses_an_out_file_that_is_not_yaml(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--out`` must be a .yaml/.yml file, so that ``--community`` reads it back."""
    assert main(["community", "import", str(CSV), "--out", str(tmp_path / "x.txt")]) == 2
    assert "--out" in capsys.readouterr().err
    assert not (tmp_path / "x.txt").exists()


def test_import_help_teaches_the_columns_with_an_example(
        capsys: pytest.CaptureFixture[str]) -> None:
    """``sim community import --help`` lists every column in English and Chinese, with examples."""
    from sim.communities import TABLE_COLUMNS

    assert main(["community", "import", "--help"]) == 0
    text = capsys.readouterr().out
    for col in TABLE_COLUMNS:
        assert col.header in text and col.zh[0] in text
    assert "幸福里小区" in text and "--community" in text and "examples / 示例" in text


def test_missing_or_unreadable_table_names_the_option(tmp_path: Path) -> None:
    """A table that cannot be opened is an error of the option that named it."""
    with pytest.raises(ConfigError, match="file not found") as exc:
        resolve_community(str(tmp_path / "nope.csv"))
    assert exc.value.field == "--community"
    (tmp_path / "bad.xlsx").write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read the workbook"):
        resolve_community(str(tmp_path / "bad.xlsx"))
    (tmp_path / "old.xls").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"save the sheet as \.xlsx"):
        resolve_community(str(tmp_path / "old.xls"))
