"""Posterior sampling with NumPyro NUTS over the free parameters of a configuration.

The model samples the unconstrained vector ``u`` of :class:`fits.space.ParamSpace` (flat improper base
measure), adds the prior density in ``u`` (Jacobians included) and every enabled likelihood as factors,
and records as deterministic sites the constrained parameters, the derived observables and the
log-likelihood of each constraint. Sampling runs in chunks; after each one the sampler state and the
draws so far go to ``checkpoint.pkl``, so an interrupted run continues with ``resume=True`` and gives
the same draws as an uninterrupted one.
"""

import json
import pickle
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer import MCMC, NUTS

from fits import _arviz
from fits.config import Config
from fits.maximise import build_likelihoods, mu_eff_muB
from fits.space import ParamSpace
from jaxtmm import BR_mu_e_gamma, delta_a_e, delta_a_mu, mu_ij, to_mu_B

EXTRA_FIELDS = ("energy", "diverging", "num_steps", "accept_prob", "potential_energy", "adapt_state.step_size")
DERIVED = ("mu_eff_muB", "mu_12_muB", "BR_mu_e_gamma", "delta_a_mu", "delta_a_e")


@dataclass(frozen=True)
class FitSettings:
    chains: int = 4
    warmup: int = 500
    samples: int = 500
    seed: int = 0
    chunk: int = 250  # draws per chain between checkpoints
    target_accept: float = 0.9
    max_tree_depth: int = 8


def site_name(likelihood_name: str) -> str:
    return likelihood_name.replace(" ", "_")


def param_names(space: ParamSpace) -> list[str]:
    return [lbl.replace(".", "_") for lbl in space.labels]


def build_model(config: Config):
    """The NumPyro model of a configuration, and its parameter space."""
    space = ParamSpace.from_config(config)
    lks = build_likelihoods(config)
    enabled = [lks[n] for n in config.likelihoods]
    mu_fn = mu_eff_muB(config)
    names = param_names(space)

    def model():
        u = numpyro.sample("u", dist.ImproperUniform(dist.constraints.real_vector, (), (space.dim,)))
        numpyro.factor("log_prior", space.log_prior_u(u))
        p = space.point_u(u)
        for lk in enabled:
            ll = lk.log_likelihood(p)
            numpyro.factor(f"factor_{site_name(lk.name)}", ll)
            numpyro.deterministic(f"loglik_{site_name(lk.name)}", ll)
        vals = space.values_u(u)
        flat = []
        for n in space.names:
            v = vals[n]
            flat += [jnp.real(v), jnp.imag(v)] if jnp.iscomplexobj(v) else [v]
        for name, v in zip(names, flat):
            numpyro.deterministic(name, v)
        numpyro.deterministic("mu_eff_muB", mu_fn(p))
        numpyro.deterministic("mu_12_muB", to_mu_B(mu_ij(p, config.loop)[0, 1]))
        numpyro.deterministic("BR_mu_e_gamma", BR_mu_e_gamma(p))
        numpyro.deterministic("delta_a_mu", delta_a_mu(p))
        numpyro.deterministic("delta_a_e", delta_a_e(p))

    return model, space, enabled


def chain_method(chains: int) -> str:
    """Chains in parallel across devices when there are enough, one after the other otherwise."""
    return "parallel" if jax.local_device_count() >= chains > 1 else "sequential"


def _mcmc(model, s: FitSettings, n_samples: int, progress: bool) -> MCMC:
    kernel = NUTS(model, target_accept_prob=s.target_accept, max_tree_depth=s.max_tree_depth)
    return MCMC(kernel, num_warmup=s.warmup, num_samples=n_samples, num_chains=s.chains,
                chain_method=chain_method(s.chains), progress_bar=progress)  # fmt: skip


def _collect(mcmc: MCMC) -> dict:
    draws = {k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()}
    extra = {k: np.asarray(v) for k, v in mcmc.get_extra_fields(group_by_chain=True).items()}
    return {**{f"site:{k}": v for k, v in draws.items()}, **{f"extra:{k}": v for k, v in extra.items()}}


def sample(config: Config, settings: FitSettings, out: Path, resume: bool = False, progress: bool = True,
           stop_after_chunks: int | None = None) -> dict:  # fmt: skip
    """Run (or continue) NUTS; returns the accumulated arrays. ``stop_after_chunks`` simulates an interruption."""
    model, space, enabled = build_model(config)
    ckpt = out / "checkpoint.pkl"
    t0 = time.perf_counter()
    if resume:
        if not ckpt.exists():
            raise ValueError(f"nothing to resume: '{ckpt}' does not exist")
        with open(ckpt, "rb") as fh:
            saved = pickle.load(fh)
        if saved["config_raw"] != config.raw or saved["settings"] != asdict(settings):
            raise ValueError("--resume needs the same configuration and sampler settings as the interrupted run")
        arrays, state, done, elapsed = saved["arrays"], saved["state"], saved["done"], saved["elapsed_s"]
    else:
        arrays, state, done, elapsed = {}, None, 0, 0.0
    chunks_run = 0
    mcmc = None
    while done < settings.samples:
        n = min(settings.chunk, settings.samples - done)
        if mcmc is None or mcmc.num_samples != n:
            mcmc = _mcmc(model, settings, n, progress)
        if state is None:
            mcmc.run(jax.random.PRNGKey(settings.seed), extra_fields=EXTRA_FIELDS)
        else:
            mcmc.post_warmup_state = jax.tree_util.tree_map(jnp.asarray, state)
            mcmc.run(mcmc.post_warmup_state.rng_key, extra_fields=EXTRA_FIELDS)
        state = jax.device_get(mcmc.last_state)
        new = _collect(mcmc)
        arrays = {k: np.concatenate([arrays[k], v], axis=1) if k in arrays else v for k, v in new.items()}
        done += n
        chunks_run += 1
        out.mkdir(parents=True, exist_ok=True)
        with open(ckpt, "wb") as fh:
            pickle.dump({"config_raw": config.raw, "settings": asdict(settings), "arrays": arrays, "state": state,
                         "done": done, "elapsed_s": elapsed + time.perf_counter() - t0}, fh)  # fmt: skip
        if stop_after_chunks is not None and chunks_run >= stop_after_chunks and done < settings.samples:
            return {"arrays": arrays, "done": done, "complete": False}
    return {"arrays": arrays, "done": done, "complete": True, "elapsed_s": elapsed + time.perf_counter() - t0,
            "space": space, "enabled": enabled}  # fmt: skip


def inference_data(result: dict, config: Config):
    a = result["arrays"]
    space = result["space"]
    posterior = {n: a[f"site:{n}"] for n in param_names(space) + list(DERIVED)}
    posterior["u"] = a["site:u"]
    loglik = {site_name(lk.name): a[f"site:loglik_{site_name(lk.name)}"] for lk in result["enabled"]}
    steps = a["extra:num_steps"]
    stats = {
        "energy": a["extra:energy"],
        "diverging": a["extra:diverging"].astype(bool),
        "n_steps": steps,
        "tree_depth": np.floor(np.log2(np.maximum(steps, 1))).astype(np.int64) + 1,
        "acceptance_rate": a["extra:accept_prob"],
        "lp": -a["extra:potential_energy"],
        "step_size": a["extra:adapt_state.step_size"],
    }
    attrs = {"configuration": json.dumps(config.raw), "loop": config.loop, "moment": config.moment}
    return _arviz.make(posterior, stats, loglik, attrs)
