"""The `jaxtmm fit` job: sample, then write posterior.nc, summary.csv, plots and fit.json."""

import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from fits import _arviz
from fits.config import Config
from fits.plots import pair_plot, rank_plot, trace_plot
from fits.posterior import DERIVED, FitSettings, chain_method, inference_data, param_names, sample
from fits.scan import data_hashes, versions


def run_fit(config: Config, settings: FitSettings, out: Path, resume: bool = False, progress: bool = True,
            stop_after_chunks=None) -> dict | None:  # fmt: skip
    """Sample and write the results; returns the summary record (None when stopped early on purpose)."""
    res = sample(config, settings, out, resume=resume, progress=progress, stop_after_chunks=stop_after_chunks)
    if not res["complete"]:
        return None
    idata = inference_data(res, config)
    names = param_names(res["space"])
    _arviz.to_netcdf(idata, out / "posterior.nc")
    summ = _arviz.summary(idata, names + list(DERIVED))
    summ.to_csv(out / "summary.csv", index_label="parameter")
    post = _arviz.group(idata, "posterior")
    draws = {n: np.asarray(post[n]) for n in names}
    diverging = res["arrays"]["extra:diverging"].astype(bool)
    trace_plot(draws).savefig(out / "trace.png", dpi=110)
    rank_plot(draws).savefig(out / "rank.png", dpi=110)
    pair_plot(draws, diverging).savefig(out / "pair.png", dpi=110)
    free = summ.loc[names]
    elapsed = res["elapsed_s"]
    record = {
        "configuration": {"source": config.source, "name": config.name, "file": config.raw},
        "settings": asdict(settings),
        "chain_method": chain_method(settings.chains),
        "draws": int(settings.chains * settings.samples),
        "divergences": int(diverging.sum()),
        "max_r_hat": float(free["r_hat"].max()),
        "min_ess_bulk": float(free["ess_bulk"].min()),
        "min_ess_tail": float(free["ess_tail"].min()),
        "wall_time_s": elapsed,
        "min_ess_bulk_per_s": float(free["ess_bulk"].min()) / elapsed,
        "versions": versions(),
        "data_sha256": data_hashes(),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (out / "fit.json").write_text(json.dumps(record, indent=1) + "\n")
    return record
