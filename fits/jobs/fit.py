"""The `jaxtmm fit` job: sample, then write posterior.nc, summary.csv, plots and fit.json (each atomically)."""

import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from fits import _arviz
from fits.io import atomic_path, dumps, save_figure, write_text
from fits.jobs.provenance import data_hashes, versions
from fits.plots import nested_plot, pair_plot, rank_plot, trace_plot
from fits.problem.config import Config
from fits.problem.space import ParamSpace
from fits.sample import nested
from fits.sample.nested import NestedSettings
from fits.sample.posterior import DERIVED, FitSettings, inference_data, param_names, parity_names, sample

#: The convergence targets a fit is judged against (issue #12; Vehtari et al. 2021, arXiv:1903.08008, for R-hat
#: and the bulk ESS; the divergent fraction as Stan's users read it).
TARGETS = {"max_r_hat": 1.01, "min_ess_bulk": 400.0, "divergent_fraction": 0.005}
OUTPUTS = ("posterior.nc", "summary.csv", "trace.png", "rank.png", "pair.png", "fit.json")
NESTED_OUTPUTS = OUTPUTS[:-1] + ("nested.png", "fit.json")
DERIVED_LABELS = {
    "mu_eff_muB": ("mu_eff", "mu_B"),
    "mu_12_muB": ("mu_12", "mu_B"),
    "BR_mu_e_gamma": ("BR(mu -> e gamma)", ""),
    "delta_a_mu": ("Delta a_mu", ""),
    "delta_a_e": ("Delta a_e", ""),
}


def _moduli(config: Config) -> list[str]:
    """``abs_<coupling>``, the modulus |y| of each free Yukawa coupling."""
    return [f"abs_{n}" for n, p in config.free.items() if p.is_complex]


def pair_choices(config: Config) -> list[str]:
    """Every variable the pair plot can show: the free parameters, the moduli |y| of free Yukawa
    couplings, and the derived quantities."""
    return param_names(ParamSpace.from_config(config)) + _moduli(config) + list(DERIVED)


def default_pair(config: Config) -> list[str]:
    """The moduli of the Yukawa couplings, the other free parameters, and mu_eff."""
    return _moduli(config) + [n for n, p in config.free.items() if p.z_dims == 1] + ["mu_eff_muB"]


def log_scaled(config: Config, draws: dict) -> set:
    """Variables drawn on log axes: log-uniform parameters, and derived quantities that are positive and
    span more than two decades (parameters follow their prior: a uniform one stays linear)."""
    out = {n for n, p in config.free.items() if p.kind == "loguniform"}
    out |= {f"abs_{n}" for n, p in config.free.items() if p.kind == "logdisc"}
    for n, x in draws.items():
        x = np.asarray(x)
        if n in DERIVED and np.all(x > 0) and x.max() > 100 * x.min():
            out.add(n)
    return out


def _variables(post, names: list[str]) -> dict:
    out = {}
    for n in names:
        if n.startswith("abs_"):
            y = n[4:]
            out[n] = np.hypot(np.asarray(post[f"{y}_re"]), np.asarray(post[f"{y}_im"]))
        else:
            out[n] = np.asarray(post[n])
    return out


def credible_line(name: str, row, x: np.ndarray) -> str:
    """'mu_eff < 1.2e-10 mu_B (90% CL upper limit)' for a positive quantity whose posterior piles up at
    zero (5% quantile below 5% of the 95% one), else the median and the 90% equal-tailed interval."""
    label, unit = DERIVED_LABELS.get(name, (name, ""))
    unit = f" {unit}" if unit else ""
    if np.all(x >= 0) and row["eti_5%"] < 0.05 * row["eti_95%"]:
        return f"{label} < {np.quantile(x, 0.9):.3g}{unit} (90% upper limit; median {row['median']:.3g})"
    return f"{label} = {row['median']:.3g}{unit}, 90% interval [{row['eti_5%']:.3g}, {row['eti_95%']:.3g}]"


def run_fit(
    config: Config,
    settings: FitSettings | NestedSettings,
    out: Path,
    resume: bool = False,
    progress: bool = True,
    stop_after_checkpoints=None,
    pair=None,
    workers: int = 0,
) -> dict | None:
    """Sample (NUTS for :class:`FitSettings`, nested sampling for :class:`fits.sample.nested.NestedSettings`, its runs in
    ``workers`` processes) and write the results; returns the summary record (None when stopped early on purpose:
    after that many checkpoints, or nested runs)."""
    out = Path(out)
    is_nested = isinstance(settings, NestedSettings)
    if is_nested:
        res = nested.sample(
            config,
            settings,
            out,
            resume=resume,
            progress=progress,
            stop_after_runs=stop_after_checkpoints,
            workers=workers,
        )
    else:
        res = sample(
            config, settings, out, resume=resume, progress=progress, stop_after_checkpoints=stop_after_checkpoints
        )
    if not res["complete"]:
        return None
    idata = inference_data(res, config, settings.seed)
    names = param_names(res["space"])
    with atomic_path(out / "posterior.nc") as tmp:
        _arviz.to_netcdf(idata, tmp)
    parities = parity_names(config) if config.signs else []
    summ = _arviz.summary(idata, names + list(DERIVED) + parities)
    post = _arviz.group(idata, "posterior")
    if is_nested:  # what ArviZ's ESS does not see in shuffled draws: the scatter between runs
        summ["ess_runs"] = [nested.ess_between_runs(np.asarray(post[n])) for n in summ.index]
    write_text(out / "summary.csv", summ.to_csv(index_label="parameter", float_format="%.10g"))
    draws = {n: np.asarray(post[n]) for n in names}
    chosen = _variables(post, list(pair) if pair else default_pair(config))
    logs = log_scaled(config, {**draws, **chosen})
    shape = draws[names[0]].shape if names else (1, 1)
    diverging = np.zeros(shape, bool) if is_nested else res["arrays"]["extra:diverging"].astype(bool)
    save_figure(trace_plot(draws, logs), out / "trace.png", dpi=110)
    save_figure(rank_plot(draws), out / "rank.png", dpi=110)
    save_figure(pair_plot(chosen, diverging, log=logs), out / "pair.png", dpi=110)
    if is_nested:
        save_figure(nested_plot(res["runs_arrays"]), out / "nested.png", dpi=110)
    free = summ.loc[names]
    elapsed = res["elapsed_s"]
    intervals = {n: credible_line(n, summ.loc[n], np.asarray(post[n]).ravel()) for n in DERIVED}
    draws_n = int(shape[0] * shape[1])
    diagnostics = {
        "max_r_hat": float(free["r_hat"].max()),
        "min_ess_bulk": float(free["ess_bulk"].min()),
        "divergent_fraction": None if is_nested else float(diverging.sum()) / draws_n,
    }
    judged = dict(TARGETS)
    if is_nested:
        diagnostics["min_ess_runs"] = float(free["ess_runs"].min())
        judged["min_ess_runs"] = TARGETS["min_ess_bulk"]
    targets = {}
    for k, t in judged.items():
        v = diagnostics[k]
        met = None if v is None else (v >= t if k.startswith("min") else v <= t)
        targets[k] = {"target": t, "value": v, "met": met}
    if is_nested:
        targets["divergent_fraction"]["note"] = "not applicable: nested sampling integrates no trajectories"
        targets["min_ess_runs"]["note"] = (
            "the ESS the scatter between the runs implies (fits.sample.nested.ess_between_runs): "
            f"{settings.runs - 1} degrees of freedom, good to a factor of about "
            f"{1 + np.sqrt(2 / max(settings.runs - 1, 1)):.1f}"
        )
    record = {
        "configuration": {
            "source": config.source,
            "name": config.name,
            "file": config.raw,
            "effective_options": config.effective_options,
        },
        "sampler": "nested" if is_nested else "nuts",
        "settings": asdict(settings),
        "chain_method": res["chain_method"],
        "draws": draws_n,
        "divergences": None if is_nested else int(diverging.sum()),
        "divergent_fraction": diagnostics["divergent_fraction"],
        "max_r_hat": diagnostics["max_r_hat"],
        "worst_r_hat": str(free["r_hat"].idxmax()),
        "min_ess_bulk": diagnostics["min_ess_bulk"],
        "worst_ess_bulk": str(free["ess_bulk"].idxmin()),
        "min_ess_tail": float(free["ess_tail"].min()),
        "wall_time_s": elapsed,
        "min_ess_bulk_per_s": float(free["ess_bulk"].min()) / elapsed,
        "targets": targets,
    }
    if is_nested:
        record.update(
            {
                "min_ess_runs": diagnostics["min_ess_runs"],
                "worst_ess_runs": str(free["ess_runs"].idxmin()),
                "draws_per_run": res["draws_per_run"],
                "log_evidence": nested.evidence(res["runs"]),
                "runs": res["runs"],
            }
        )
    else:
        steps = res["arrays"]["extra:num_steps"]
        record.update(
            {
                "tree_depth_saturated_fraction": float(np.mean(steps >= 2**settings.max_tree_depth - 1)),
                "mean_leapfrog_steps": float(np.mean(steps)),
            }
        )
    record.update(
        {
            "parity_probabilities": {
                name: {"mean": float(summ.loc[name, "mean"]), "mcse": float(summ.loc[name, "mcse_mean"])}
                for name in parities
            },
            "derived": intervals,
            "pair_variables": list(chosen),
            "versions": versions(),
            "data_sha256": data_hashes(),
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    )
    write_text(out / "fit.json", dumps(record, indent=1) + "\n")
    return record
