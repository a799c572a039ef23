"""Scale benchmark: the pain mixed model for 100 000 cases (~480 000 scores) vs R lme4 + emmeans.

Run by hand from the repository root (needs Rscript with lme4 and emmeans):

    python benchmarks/stats_lmm_scale.py [--cases 100000] [--seed 20240501]

Generates a synthetic pain_long table with a fixed seed (random intercept per
case, ~4 % missing scores), writes it to a CSV, times our exact REML fit plus
emmeans/contrasts/type III tests on the in-memory frame, times
``lmer`` + ``emmeans`` on the same CSV (CSV reading excluded on both sides) and
prints both times and the largest absolute difference over estimates, SEs,
variance components, emmeans and contrasts.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mg_platform.analysis.stats.arms import study_arms
from mg_platform.analysis.stats.pain_trajectory import pain_trajectory_model
from mg_platform.analysis.stats.variables import PAIN_MINUTES

R_SCRIPT = Path(__file__).with_suffix(".R")


def synthetic_pain(n_cases: int, seed: int) -> pd.DataFrame:
    """One row per observed score: case_key, group, minute, nrs (0-10)."""
    rng = np.random.default_rng(seed)
    minutes = np.array(PAIN_MINUTES)
    case = np.repeat(np.arange(n_cases), len(minutes))
    t = np.tile(np.arange(len(minutes)), n_cases)
    treated = (case % 2 == 1).astype(float)
    mean = 2.0 + 0.35 * t + rng.normal(0, 1.0, n_cases)[case] - 0.4 * treated - 0.1 * t * treated
    nrs = np.clip(np.rint(mean + rng.normal(0, 1.1, len(case))), 0, 10).astype(np.int64)
    keep = (t == 0) | (rng.random(len(case)) >= 0.05)
    return pd.DataFrame(
        {
            "case_key": np.char.add("c", case[keep].astype(str)),
            "group": np.where(treated[keep] == 1, "MgSO4", "Control"),
            "minute": minutes[t[keep]],
            "nrs": nrs[keep],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240501)
    args = parser.parse_args()
    pain = synthetic_pain(args.cases, args.seed)
    print(f"cases: {args.cases}, pain rows: {len(pain)}, seed: {args.seed}")
    with tempfile.TemporaryDirectory() as tmp:
        csv, out = Path(tmp) / "pain.csv", Path(tmp) / "r_out.csv"
        pain.to_csv(csv, index=False)
        start = time.perf_counter()
        result = pain_trajectory_model(pain, study_arms())
        python_seconds = time.perf_counter() - start
        subprocess.run(["Rscript", str(R_SCRIPT), str(csv), str(out)], check=True)
        r = pd.read_csv(out).set_index("quantity")["value"]
    ours = {
        "estimate": result.fixed["estimate"].to_numpy(),
        "se": result.fixed["std_error"].to_numpy(),
        "emmean": result.emmeans.sort_values(["minute", "group"], kind="stable")["emmean"].to_numpy(),
        "emmean_se": result.emmeans.sort_values(["minute", "group"], kind="stable")["std_error"].to_numpy(),
        "contrast": result.contrasts["estimate"].to_numpy(),
        "contrast_se": result.contrasts["std_error"].to_numpy(),
    }
    diffs = {
        name: np.max(np.abs(v - r[[f"{name}:{i + 1}" for i in range(len(v))]].to_numpy())) for name, v in ours.items()
    }
    diffs["tau2"] = abs(result.fit.tau2 - r["tau2"])
    diffs["sigma2"] = abs(result.fit.sigma2 - r["sigma2"])
    r_total = r["fit_seconds"] + r["emmeans_seconds"]
    print(f"python exact REML + emmeans + tests: {python_seconds:.2f} s")
    print(f"R lme4 fit: {r['fit_seconds']:.2f} s + emmeans: {r['emmeans_seconds']:.2f} s = {r_total:.2f} s")
    print("max abs difference by quantity: " + ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()))
    print(f"max abs difference overall: {max(diffs.values()):.2e}")


if __name__ == "__main__":
    main()
