"""The `jaxtmm fit` job: sample, then write posterior.nc, summary.csv, plots and fit.json (each atomically)."""

import time
from pathlib import Path

import numpy as np

from fits import _arviz
from fits.io import atomic_path, dumps, save_figure, write_text
from fits.jobs.provenance import data_hashes, versions
from fits.plots import pair_plot, rank_plot, trace_plot
from fits.problem.config import Config
from fits.problem.space import ParamSpace
from fits.sample import sampler_for
from fits.sample.base import TARGETS, Target, recorded
from fits.sample.posterior import DERIVED, inference_data, param_names, parity_names
from jaxtmm.quantities import get

#: The files every fit writes; a sampler adds its own figures (:func:`outputs`).
OUTPUTS = ("posterior.nc", "summary.csv", "trace.png", "rank.png", "pair.png", "fit.json")


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
    q = get(name)
    label, unit = q.label, f" {q.unit}" if q.unit else ""
    if np.all(x >= 0) and row["eti_5%"] < 0.05 * row["eti_95%"]:
        return f"{label} < {np.quantile(x, 0.9):.3g}{unit} (90% upper limit; median {row['median']:.3g})"
    return f"{label} = {row['median']:.3g}{unit}, 90% interval [{row['eti_5%']:.3g}, {row['eti_95%']:.3g}]"


def run_fit(
    config: Config,
    settings,
    out: Path,
    resume: bool = False,
    progress: bool = True,
    stop_after_checkpoints=None,
    pair=None,
) -> dict | None:
    """Sample with the sampler whose settings ``settings`` are (:data:`fits.sample.SAMPLERS`) and write the results;
    returns the summary record (None when stopped early on purpose, after that many checkpoints)."""
    out = Path(out)
    sampler = sampler_for(settings)
    draws = sampler.run(config, settings, out, resume=resume, progress=progress, stop_after=stop_after_checkpoints)
    if draws is None:
        return None
    idata = inference_data(draws, config, settings.seed)
    names = param_names(draws.space)
    with atomic_path(out / "posterior.nc") as tmp:
        _arviz.to_netcdf(idata, tmp)
    parities = parity_names(config) if config.signs else []
    summ = _arviz.summary(idata, names + list(DERIVED) + parities)
    post = _arviz.group(idata, "posterior")
    for column, values in sampler.summary_columns(draws, post, list(summ.index)).items():
        summ[column] = values
    write_text(out / "summary.csv", summ.to_csv(index_label="parameter", float_format="%.10g"))
    chosen = _variables(post, list(pair) if pair else default_pair(config))
    _figures(config, draws, post, names, chosen, sampler, out)
    free = summ.loc[names]
    record = {
        "configuration": {
            "source": config.source,
            "name": config.name,
            "file": config.raw,
            "effective_options": config.effective_options,
        },
        "sampler": sampler.name,
        "settings": recorded(settings),
        "chain_method": draws.chain_method,
        **_convergence(draws, sampler, settings, free),
        **sampler.record(draws, settings, free),
        "parity_probabilities": {
            name: {"mean": float(summ.loc[name, "mean"]), "mcse": float(summ.loc[name, "mcse_mean"])}
            for name in parities
        },
        "derived": {n: credible_line(n, summ.loc[n], np.asarray(post[n]).ravel()) for n in DERIVED},
        "pair_variables": list(chosen),
        "versions": versions(),
        "data_sha256": data_hashes(),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    write_text(out / "fit.json", dumps(record, indent=1) + "\n")
    return record


def outputs(sampler) -> tuple:
    """The files a fit by ``sampler`` writes, fit.json (the record that it finished) last."""
    return OUTPUTS[:-1] + tuple(sampler.figures) + OUTPUTS[-1:]


def _figures(config, draws, post, names, chosen, sampler, out) -> None:
    """trace.png, rank.png, pair.png and the sampler's own figures."""
    values = {n: np.asarray(post[n]) for n in names}
    logs = log_scaled(config, {**values, **chosen})
    save_figure(trace_plot(values, logs), out / "trace.png", dpi=110)
    save_figure(rank_plot(values), out / "rank.png", dpi=110)
    save_figure(pair_plot(chosen, draws.diverging, log=logs), out / "pair.png", dpi=110)
    for name, fig in sampler.plots(draws).items():
        save_figure(fig, out / name, dpi=110)


def _convergence(draws, sampler, settings, free) -> dict:
    """The record's convergence figures: R-hat and ESS of the free parameters, and every target judged."""
    n = int(draws.diverging.size)
    common = {
        "max_r_hat": Target(float(free["r_hat"].max()), TARGETS["max_r_hat"]),
        "min_ess_bulk": Target(float(free["ess_bulk"].min()), TARGETS["min_ess_bulk"]),
    }
    targets = {**common, **sampler.targets(draws, settings, free)}
    return {
        "draws": n,
        "divergent_fraction": targets["divergent_fraction"].value,
        "max_r_hat": common["max_r_hat"].value,
        "worst_r_hat": str(free["r_hat"].idxmax()),
        "min_ess_bulk": common["min_ess_bulk"].value,
        "worst_ess_bulk": str(free["ess_bulk"].idxmin()),
        "min_ess_tail": float(free["ess_tail"].min()),
        "wall_time_s": draws.elapsed_s,
        "min_ess_bulk_per_s": common["min_ess_bulk"].value / draws.elapsed_s,
        "targets": {k: t.judged(k) for k, t in targets.items()},
    }
