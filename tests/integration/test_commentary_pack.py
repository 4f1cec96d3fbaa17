"""The pack prints the commentary check's warnings and records them in run.json; they do not stop
the run (helpers.pack.runner, helpers.pack.record)."""

from __future__ import annotations

import json

from support.packs import make_data, make_notebooks, run_pack

from helpers.pack import runner as pack

WARNING = (
    '02_victims.md line 5: "The falls are not statistically significant, but…" says the change is '
    "not statistically significant, but User Satisfaction - Action taken by the police -3.6% pt. "
    "(76.1% → 72.5%) is significant (two-proportion test, p < 0.05)"
)


def test_commentary_warnings_are_printed_and_recorded_and_the_pack_is_published(
    tmp_path, stand_in, monkeypatch, capsys
):
    asked = []

    def warnings(cube, profile, month, period):
        asked.append((cube, profile.commentary_dir, month, period))
        return [WARNING]

    monkeypatch.setattr(pack, "commentary_warnings", warnings)
    make_data(tmp_path / "data")
    code = run_pack(tmp_path, make_notebooks(tmp_path / "notebooks"))
    assert code == pack.EXIT_OK
    assert asked and asked[0][0] is stand_in and asked[0][2:] == ("2016-09", "rolling-12m")
    assert f"commentary: {WARNING}" in capsys.readouterr().err
    record = json.loads((tmp_path / "reports" / "2016-09" / "run.json").read_text("utf-8"))
    assert record["commentary_warnings"] == [WARNING]


def test_a_pack_without_contradictions_records_none(tmp_path, stand_in):
    make_data(tmp_path / "data")
    assert run_pack(tmp_path, make_notebooks(tmp_path / "notebooks")) == pack.EXIT_OK
    record = json.loads((tmp_path / "reports" / "2016-09" / "run.json").read_text("utf-8"))
    assert record["commentary_warnings"] == []
