"""Data that does not fit the force's profile is refused when the cube is loaded
(``helpers.measures.cube.check_fits_profile``): too many records Unassigned, or more data-quality
warnings than the profile accepts; columns a source never records are not counted as warnings."""

import dataclasses

import pytest
from support.packs import tiny_cube

from helpers.measures.cube import ProfileMismatch, check_fits_profile
from helpers.profile import load_profile
from helpers.sources.loading import ExtractReport, LoadReport


def _profile(**force):
    p = load_profile()
    return dataclasses.replace(p, force=dataclasses.replace(p.force, **force))


def _cube(**extract):
    cube = tiny_cube()
    r = ExtractReport("crimes", "crimes.parquet", "parquet", rows_read=1000, rows_loaded=1000)
    for k, v in extract.items():
        setattr(r, k, v)
    cube.extracts_report = LoadReport(extracts={"crimes": r})
    return cube


def test_a_file_mostly_unassigned_is_refused_naming_the_file_the_share_and_the_profile():
    with pytest.raises(ProfileMismatch) as info:
        check_fits_profile(_cube(unassigned_in_file=300), _profile())
    message = str(info.value)
    assert "crimes.parquet: 300 of 1,000 records (30.0%)" in message
    assert "profiles/demo" in message and "max_unassigned_share of 5%" in message


def test_a_few_unassigned_records_or_a_higher_threshold_pass():
    check_fits_profile(_cube(unassigned_in_file=50), _profile())  # 5 %, at the limit
    check_fits_profile(_cube(unassigned_in_file=99), _profile(max_unassigned_share=0.0))  # < 100
    check_fits_profile(_cube(unassigned_in_file=300), _profile(max_unassigned_share=0.5))


def test_max_data_warnings_turns_warnings_into_a_refusal():
    cube = _cube(formula_like_cells=3, unassigned_mapped=2)
    check_fits_profile(cube, _profile())  # null: warnings are shown, never refuse
    check_fits_profile(cube, _profile(max_data_warnings=2))
    with pytest.raises(ProfileMismatch, match="2 data-quality warning.*more than the 1"):
        check_fits_profile(cube, _profile(max_data_warnings=1))


def test_columns_a_source_never_records_are_not_counted_but_a_month_missing_is():
    never = _cube(not_recorded={"domestic_abuse": ["2014-01", "2014-02"]},
                  rows_by_month={"2014-01": 500, "2014-02": 500})  # fmt: skip
    check_fits_profile(never, _profile(max_data_warnings=0))
    assert len(never.extracts_report.warnings()) == 1  # still shown to the reader
    partial = _cube(not_recorded={"domestic_abuse": ["2014-02"]},
                    rows_by_month={"2014-01": 500, "2014-02": 500})  # fmt: skip
    with pytest.raises(ProfileMismatch, match="not recorded by the source"):
        check_fits_profile(partial, _profile(max_data_warnings=0))
