"""The instrument as data: the schema, the semantic checks, the loader and the CLI summary."""

from __future__ import annotations

import copy
import json

import pytest

import questionnaires as q
from questionnaires.loader import _resolve


@pytest.fixture
def raw() -> dict:
    return copy.deepcopy(q.load_instrument().raw)


def write(tmp_path, data) -> str:
    path = tmp_path / "inst_v9.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_core_instrument_loads_with_the_shape_the_design_asks_for():
    inst = q.load_instrument("nets-core@1")
    assert 30 <= len(inst.items) <= 40
    assert {t.id for t in inst.themes} >= {
        "induction",
        "supervision",
        "learning",
        "culture",
        "facilities",
        "safety",
        "overall",
    }
    adverse = {i.id for i in inst.all_items if i.adverse}
    assert len(adverse) == 6 and all(inst.item(i).reverse for i in adverse)
    assert inst.item_by_role("overall_experience").theme == "overall"
    assert inst.item_by_role("would_recommend").theme == "overall"
    assert {c.kind for c in inst.concerns} == {"patient_safety", "bullying"}
    assert {f.id for f in inst.free_text} == {"good", "improve"}
    assert set(inst.retest_items) <= {i.id for i in inst.scoring_items}
    fw = q.load_framework()
    assert len(fw.standards) == 27 and len(fw.domains) == 6
    assert all(s in fw.standards for i in inst.all_items for s in i.standards)


def test_profession_blocks_follow_the_learner_group():
    inst = q.load_instrument()
    nursing = [i.id for i in inst.items_for("nursing")]
    medical = [i.id for i in inst.items_for("medical")]
    assert "nur_1" in nursing and "nur_1" not in medical and "med_1" in medical
    assert nursing[-2:] == ["ovr_1", "ovr_2"]  # overall questions come last


def test_theme_and_domain_scales_cover_every_scoring_item_once_per_theme():
    inst = q.load_instrument()
    scales = inst.theme_scales()
    themed = [i for t, items in scales.items() if t != "overall" for i in items]
    assert sorted(themed) == sorted(scales["overall"])
    assert set(inst.domain_scales()) == {f"domain {d}" for d in "123456"}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda r: r["items"][0]["standards"].__setitem__(0, "7.1"),
            "does not match the instrument schema",
        ),
        (lambda r: r["items"][0]["standards"].__setitem__(0, "3.9"), "unknown standard '3.9'"),
        (
            lambda r: r["profession_blocks"][0].__setitem__("group", "astronaut"),
            "unknown learner group 'astronaut'",
        ),
        (lambda r: r["items"][1].__setitem__("id", r["items"][0]["id"]), "is used 2 times"),
        (lambda r: r["items"][0].__setitem__("theme", "nowhere"), "unknown theme 'nowhere'"),
        (lambda r: r["items"][0].update(adverse=True, reverse=False), "must be reverse-keyed"),
        (lambda r: r["items"][0].pop("text"), "'text' is a required property"),
        (lambda r: r["items"][0].__setitem__("colour", "red"), "Additional properties"),
        (lambda r: r["retest_form"]["items"].append("ovr_1"), "retest item 'ovr_1' is not a core"),
        (lambda r: r["items"][-1].pop("role"), "exactly one would_recommend item, found 0"),
    ],
)
def test_bad_instrument_files_are_named_clearly(tmp_path, raw, mutate, message):
    mutate(raw)
    with pytest.raises(q.InstrumentError, match=message):
        q.load_instrument(write(tmp_path, raw))


def test_malformed_json_names_the_line(tmp_path):
    with pytest.raises(q.InstrumentError, match=r"not valid JSON \(line 1, column"):
        q.load_instrument(write(tmp_path, "{ not json"))


def test_unknown_instrument_name_lists_the_known_ones():
    with pytest.raises(
        q.InstrumentError, match="no instrument file for 'nets-core@99'.*nets_core_v1.json"
    ):
        _resolve("nets-core@99")


def test_cli_check_summarises_themes_domains_standards_and_gaps():
    from nets_app import create_app

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    result = app.test_cli_runner().invoke(args=["nets", "instrument", "check"])
    out = result.output
    assert result.exit_code == 0, out
    assert "nets-core@1" in out and "Items per theme" in out and "Induction" in out
    assert "Items per Quality Framework domain" in out
    assert "Standards no item covers" in out and "6.3" in out
    assert out.strip().endswith("OK")


def test_cli_check_rejects_a_bad_file_with_nonzero_exit(tmp_path, raw):
    from nets_app import create_app

    raw["items"][0]["standards"] = ["3.9"]
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    result = app.test_cli_runner().invoke(
        args=["nets", "instrument", "check", write(tmp_path, raw)]
    )
    assert result.exit_code != 0
    assert "unknown standard '3.9'" in result.output
