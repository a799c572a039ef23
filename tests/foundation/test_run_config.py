"""`mg-platform materialize --config FILE`: a Dagster run-config file whose op entries reach the runs holding the op."""

from __future__ import annotations

import dagster as dg
import pytest

from mg_platform import settings
from mg_platform.assets.docking import DockingConfig, RedockConfig
from mg_platform.cli import main
from mg_platform.definitions import build_definitions
from mg_platform.runner import Launcher, RunConfigError, RunOptions, read_op_config

QUICK = settings.CONFIG_DIR / "quick_docking.yaml"


@pytest.fixture(scope="module")
def defs(tmp_path_factory):
    return build_definitions(tmp_path_factory.mktemp("defs"))


def test_the_quick_docking_file_is_valid_dagster_config_for_both_docking_ops(defs):
    config = read_op_config(QUICK, defs)
    assert set(config) == {"docking_receptor", "docking_redock"}
    assert DockingConfig(**config["docking_receptor"]).runs == 2
    assert RedockConfig(**config["docking_redock"]).ligand_seeds == [1]


def test_each_run_gets_only_the_entries_of_its_own_ops(defs):
    with dg.instance_for_test() as instance:
        launcher = Launcher(defs, instance, console=None, options=RunOptions(op_config=read_op_config(QUICK, defs)))
        receptor = launcher._run_config([dg.AssetKey(["docking", "poses"]), dg.AssetKey(["docking", "best"])])
        monthly = launcher._run_config([dg.AssetKey(["stats", "baseline"])])
    assert receptor["ops"] == {"docking_receptor": {"config": read_op_config(QUICK, defs)["docking_receptor"]}}
    assert "ops" not in monthly


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("ops: {docking_receptr: {config: {runs: 2}}}", "unknown op 'docking_receptr'"),
        ("resources: {}\n", "expected only a top-level 'ops' mapping"),
        ("ops: {docking_receptor: {runs: 2}}", "ops.docking_receptor must be a mapping with one key, 'config'"),
        ("ops: [unclosed", "cannot read it as YAML"),
        ("ops: [docking_receptor]", "'ops' must be a mapping"),
    ],
)
def test_a_bad_file_is_refused_naming_the_file_and_the_problem(defs, tmp_path, monkeypatch, capsys, text, problem):
    bad = tmp_path / "run.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RunConfigError, match=problem):
        read_op_config(bad, defs)
    monkeypatch.setenv("MG_DATA_DIR", str(tmp_path))
    assert main(["materialize", "--config", str(bad)]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"REFUSED {bad}: ") and problem in out
