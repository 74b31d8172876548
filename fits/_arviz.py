"""The one place that knows ArviZ's two APIs: 0.2x (``InferenceData``; what pip gives Python 3.11, with a
warning on import) and 1.x (xarray ``DataTree``; Python 3.12+)."""

import warnings

import numpy as np
import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # arviz 0.2x announces its successor on import
    import arviz as az

MAJOR = int(az.__version__.split(".")[0])
DIAGNOSTICS = ("r_hat", "ess_bulk", "ess_tail", "mcse_mean", "mcse_sd")


def make(posterior: dict, sample_stats: dict, log_likelihood: dict, attrs: dict | None = None):
    """Inference data from dicts of arrays shaped (chain, draw, ...)."""
    groups = {"posterior": posterior, "sample_stats": sample_stats, "log_likelihood": log_likelihood}
    if MAJOR >= 1:
        data = az.from_dict(groups)
        data.attrs.update(attrs or {})
        return data
    return az.from_dict(**groups, attrs=attrs or {})


def group(data, name: str):
    """One group as an xarray Dataset."""
    return data[name].to_dataset() if MAJOR >= 1 else getattr(data, name)


STATISTICS = ("mean", "sd", "median", "eti_5%", "eti_95%")


def summary(data, var_names):
    """Per variable: mean, sd, median and the equal-tailed 90% credible interval (5% and 95% quantiles of
    all chains' draws together), then R-hat, ESS (bulk, tail) and MCSE, as a pandas DataFrame of floats."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        s = az.summary(data, var_names=list(var_names), kind="diagnostics", round_to="none")  # raw numbers, both APIs
    post = group(data, "posterior")
    stats = {}
    for name in s.index:
        x = np.asarray(post[name], dtype=float).ravel()
        q05, q50, q95 = np.quantile(x, [0.05, 0.5, 0.95])
        stats[name] = (x.mean(), x.std(ddof=1) if x.size > 1 else 0.0, q50, q05, q95)
    out = pd.DataFrame.from_dict(stats, orient="index", columns=list(STATISTICS))
    return out.join(s[list(DIAGNOSTICS)].astype(float))


def to_netcdf(data, path) -> None:
    data.to_netcdf(str(path))


def from_netcdf(path):
    """Read inference data fully into memory and release the file (it may be rewritten later)."""
    if MAJOR >= 1:
        data = az.from_netcdf(str(path))
        data.load()
        data.close()
        return data
    with az.rc_context({"data.load": "eager"}):
        return az.from_netcdf(str(path))
