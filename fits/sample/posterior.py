"""Posterior sampling with NumPyro's NUTS kernel over the free parameters of a configuration.

The model samples the unconstrained vector ``u`` of :class:`fits.problem.space.ParamSpace` (flat improper base
measure), adds the prior density in ``u`` (Jacobians included) and every enabled likelihood as factors,
and records as deterministic sites the constrained parameters, the derived observables and the
log-likelihood of each constraint.

The kernel is driven here rather than through ``numpyro.infer.MCMC``: one jitted function advances every
chain by :data:`BLOCK` transitions (warm-up and sampling alike: NUTS adapts while its iteration counter is
below the number of warm-up steps) and returns the draws and sampler statistics of those transitions. It
is compiled once per fit, whatever the progress bar, the checkpoint interval or a resume (``MCMC`` with
``progress_bar=False`` compiles its loop anew on every call, one compilation per chunk). The same function
serves one progress bar for the whole fit.

Checkpoints (``checkpoint.npz``: the sampler state, the draws so far and a JSON header; NumPy arrays only,
read with ``allow_pickle=False``) are written atomically every ``chunk`` transitions per chain, once the
warm-up ends and at the end, so an interrupted run continues with ``resume=True`` and gives draws identical
to an uninterrupted one.
"""

import json
import time
import zipfile
from collections import OrderedDict
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer import NUTS
from numpyro.infer.util import constrain_fn, potential_energy

from fits import _arviz
from fits.io import atomic_write
from fits.problem.config import Config, build_likelihoods
from fits.problem.space import ParamSpace
from fits.sample.base import recorded
from jaxtmm.quantities import posterior_quantities

EXTRA_FIELDS = ("energy", "diverging", "num_steps", "accept_prob", "potential_energy", "adapt_state.step_size")
#: The derived quantities every draw records (jaxtmm.quantities, those registered with ``posterior=True``), by column.
DERIVED = tuple(q.column for q in posterior_quantities())
BLOCK = 10  # NUTS transitions per chain in one compiled call
CHECKPOINT = "checkpoint.npz"
RENAMED_OPTIONS = {"when_closed": "invisible"}  # old name in a checkpoint's header -> the option's name now
CHECKPOINT_FORMAT = 3  # 2: the effective options are in the header; 3: per-combination sites of summed CP parities


class CheckpointError(ValueError):
    """A checkpoint that cannot be resumed; the message names the file and the reason."""


def site_name(likelihood_name: str) -> str:
    return likelihood_name.replace(" ", "_")


def param_names(space: ParamSpace) -> list[str]:
    return [lbl.replace(".", "_") for lbl in space.labels]


def _parities(config: Config):
    """The free CP parities' names and every combination of their values, shape (n_c, n_signs)."""
    signs = config.signs
    return signs, jnp.asarray([[c[k] for k in signs] for c in config.parity_combinations()], dtype=jnp.float64)


def log_likelihood_z(config: Config):
    """``(f, space)``: ``f(z)``, the log-likelihood of a point in the optimiser's coordinates summed over the free
    CP parities as the posterior's is (``logsumexp - ln n_c``); what a nested sampler integrates against the prior
    (:meth:`fits.problem.space.ParamSpace.z_from_unit`)."""
    space = ParamSpace.from_config(config)
    enabled = [build_likelihoods(config)[n] for n in config.likelihoods]
    signs, etas = _parities(config)

    def f(z):
        one = lambda eta: sum(
            (lk.log_likelihood(space.point_z(z, **dict(zip(signs, eta)))) for lk in enabled), jnp.float64(0.0)
        )
        return jax.nn.logsumexp(jax.vmap(one)(etas)) - jnp.log(len(etas))

    return f, space


def build_model(config: Config):
    """The NumPyro model of a configuration, and its parameter space.

    Free CP parities (``sign`` prior) are summed over, not sampled: the likelihood is the average over every
    combination, ``ln L(u) = logsumexp_c ln L(u, eta_c) - ln n_c`` (a uniform prior on the combinations), exact
    and smooth in ``u``. Every per-point site (each constraint's log-likelihood, the derived quantities) is then
    recorded for every combination (a last axis of length ``n_c``), with ``parity_prob``, the combinations'
    conditional probabilities ``p(eta_c | u)``; :func:`inference_data` draws one combination per draw from those,
    which makes ``(u, eta)`` a draw from the joint posterior.
    """
    space = ParamSpace.from_config(config)
    lks = build_likelihoods(config)
    enabled = [lks[n] for n in config.likelihoods]
    names = param_names(space)
    signs, etas = _parities(config)

    def one(u, eta):
        p = space.point_u(u, **dict(zip(signs, eta)))
        ll = [lk.log_likelihood(p) for lk in enabled]
        derived = {q.column: q(p, config.convention, config.moment) for q in posterior_quantities()}
        return ll, derived

    def model():
        u = numpyro.sample("u", dist.ImproperUniform(dist.constraints.real_vector, (), (space.u_dim,)))
        numpyro.factor("log_prior", space.log_prior_u(u))
        if signs:
            ll, derived = jax.vmap(one, (None, 0))(u, etas)  # each (n_c,)
            total = jnp.zeros(len(etas)) + sum(ll)  # (n_c,), also with no likelihood at all
            numpyro.factor("log_likelihood", jax.nn.logsumexp(total) - jnp.log(len(etas)))
            numpyro.deterministic("parity_prob", jax.nn.softmax(total))
        else:
            ll, derived = one(u, etas[0])
            for lk, x in zip(enabled, ll):
                numpyro.factor(f"factor_{site_name(lk.name)}", x)
        for lk, x in zip(enabled, ll):
            numpyro.deterministic(f"loglik_{site_name(lk.name)}", x)
        vals = space.values_u(u)
        flat = []
        for n in space.names:
            v = vals[n]
            flat += [jnp.real(v), jnp.imag(v)] if jnp.iscomplexobj(v) else [v]
        for name, v in zip(names, flat):
            numpyro.deterministic(name, v)
        for name, v in derived.items():
            numpyro.deterministic(name, v)

    return model, space, enabled


def site_function(config: Config):
    """``(f, space, enabled)``: ``f(u)``, every site of :func:`build_model` (the parameters, the derived quantities,
    each constraint's log-likelihood, ``parity_prob``) at one point of the sampler's coordinates; what a NUTS
    transition records, for draws made by another sampler (:mod:`fits.sample.dynesty_runs`)."""
    model, space, enabled = build_model(config)
    return (lambda u: constrain_fn(model, (), {}, {"u": u}, return_deterministic=True)), space, enabled


def chain_method(chains: int) -> str:
    """Chains in parallel across devices when there are enough, one after the other otherwise."""
    return "parallel" if jax.local_device_count() >= chains > 1 else "sequential"


def _extra(state) -> dict:
    return {f: state.adapt_state.step_size if f == "adapt_state.step_size" else getattr(state, f) for f in EXTRA_FIELDS}


class _Engine:
    """What a fit compiles: the NUTS kernel, its initialisation (a jitted function of the chains' keys) and
    the block of transitions. Cached per configuration and kernel settings (:func:`engine`), so that fits
    that differ only in seed, length or checkpoints compile nothing new."""

    def __init__(self, config: Config, settings):
        self.model, self.space, self.enabled = build_model(config)
        model = self.model
        derived = site_function(config)[0]

        def potential(u):
            return potential_energy(model, (), {}, {"u": u})

        kernel = NUTS(
            potential_fn=potential,
            target_accept_prob=settings.target_accept,
            max_tree_depth=settings.max_tree_depth,
            dense_mass=settings.dense_mass,
        )

        def init_one(key):
            # numpyro's default start, uniform in [-2, 2] in unconstrained coordinates, the best (least potential) of
            # init_candidates such draws: with every parameter free most of the prior sits where a constraint is
            # violated by orders of magnitude, and a chain started there spends its warm-up climbing out
            k_u, k_hmc = jax.random.split(key)
            cand = jax.random.uniform(k_u, (settings.init_candidates, self.space.u_dim), jnp.float64, -2.0, 2.0)
            pe = jnp.nan_to_num(jax.vmap(potential)(cand), nan=jnp.inf)
            u0 = cand[jnp.argmin(pe)]
            return kernel.init(k_hmc, settings.warmup, init_params=u0, model_args=(), model_kwargs={})

        def advance_one(state):
            def step(st, _):
                st = kernel.sample(st, (), {})
                return st, (st.i, st.z, _extra(st))

            state, (i, z, extra) = jax.lax.scan(step, state, None, length=BLOCK)
            return state, i, jax.vmap(derived)(z), extra

        self.init = jax.jit(jax.vmap(init_one))
        self.method = chain_method(settings.chains)
        if self.method == "parallel":
            self.advance = jax.pmap(advance_one)
        else:
            self.advance = jax.jit(lambda s: jax.lax.map(advance_one, s))


_ENGINES: OrderedDict = OrderedDict()
_ENGINES_KEPT = 4


def engine(config: Config, settings) -> _Engine:
    """The compiled pieces of a fit, shared by fits with the same configuration and kernel settings."""
    c = config
    key = repr(
        (
            c.fixed,
            c.free,
            tuple(c.pmns),
            c.likelihood_options,
            c.likelihoods,
            c.borexino,
            settings.chains,
            settings.warmup,
            settings.target_accept,
            settings.max_tree_depth,
            settings.init_candidates,
            settings.dense_mass,
            c.ordered,
            jax.local_device_count(),
        )
    )
    if key not in _ENGINES:
        _ENGINES[key] = _Engine(config, settings)
        while len(_ENGINES) > _ENGINES_KEPT:
            _ENGINES.popitem(last=False)
    _ENGINES.move_to_end(key)
    return _ENGINES[key]


def clear_cache() -> None:
    """Forget every compiled fit (the next one compiles afresh)."""
    _ENGINES.clear()


class Sampler:
    """NUTS chains of one fit: the initial states (from the seed), ``advance`` (BLOCK transitions of every
    chain, compiled once) and the checkpoint's state (de)serialisation."""

    def __init__(self, config: Config, settings):
        eng = engine(config, settings)
        self.space, self.enabled, self.method, self.advance = eng.space, eng.enabled, eng.method, eng.advance
        keys = jax.random.split(jax.random.PRNGKey(settings.seed), settings.chains)
        self.initial = eng.init(keys)
        bad = ~np.isfinite(np.asarray(self.initial.potential_energy))
        if bad.any():
            raise ValueError(
                f"the log posterior is not finite at the starting point of chain(s) "
                f"{', '.join(str(c) for c in np.flatnonzero(bad))}; check the priors and likelihoods"
            )
        self._treedef = jax.tree_util.tree_structure(self.initial)

    def state_leaves(self, state) -> list[np.ndarray]:
        return [np.asarray(x) for x in jax.tree_util.tree_leaves(jax.device_get(state))]

    def state_from_leaves(self, leaves, source: str):
        want = jax.tree_util.tree_leaves(self.initial)
        if len(leaves) != len(want) or any(a.shape != b.shape or a.dtype != b.dtype for a, b in zip(leaves, want)):
            raise CheckpointError(f"checkpoint '{source}' holds a sampler state of another shape")
        return jax.tree_util.tree_unflatten(
            self._treedef, list(leaves)
        )  # NumPy leaves: the jitted block takes them as they are


# ----------------------------------------------------------------------------- checkpoints
def _header(config: Config, settings, collected: int, steps: int, elapsed: float) -> dict:
    return {
        "format": CHECKPOINT_FORMAT,
        "configuration": config.raw,
        "options": config.effective_options,
        "settings": recorded(settings),
        "collected": collected,
        "steps": steps,
        "elapsed_s": elapsed,
    }


def write_checkpoint(path: Path, header: dict, leaves, draws: dict, collected: int) -> None:
    arrays = {"header": np.array(json.dumps(header, default=str))}
    arrays.update({f"state_{k:03d}": v for k, v in enumerate(leaves)})
    arrays.update({f"draw:{k}": v[:, :collected] for k, v in draws.items()})
    with atomic_write(path) as fh:
        np.savez(fh, **arrays)


def read_checkpoint(path: Path) -> tuple[dict, list, dict]:
    """(header, state leaves, draws) of a checkpoint, or CheckpointError naming the file."""
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:  # numpy leaks its own handle on a bad zip
            header = json.loads(str(f["header"][()]))
            leaves = [f[k] for k in sorted(k for k in f.files if k.startswith("state_"))]
            draws = {k[5:]: f[k] for k in f.files if k.startswith("draw:")}
        if header.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"format {header.get('format')!r}, expected {CHECKPOINT_FORMAT}")
        for key in ("configuration", "options", "settings", "collected", "steps", "elapsed_s"):
            header[key]
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise CheckpointError(f"checkpoint '{path}' is unreadable or corrupt ({why})") from None
    return header, leaves, draws


def _flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        out.update(_flat(v, key + ".") if isinstance(v, dict) else {key: v})
    return out


def setting_differences(header: dict, config: Config, settings) -> list[str]:
    """Each setting that differs between a checkpoint and this run, as 'name: checkpoint X, now Y' (a checkpoint
    from before the option ``when_closed`` was named ``invisible`` is read with the new name)."""
    norm = lambda d: json.loads(json.dumps(d, default=str))
    diffs = []
    options = {RENAMED_OPTIONS.get(k, k): v for k, v in header["options"].items()}
    for what, old, new in (
        ("", header["settings"], recorded(settings)),
        ("configuration ", header["configuration"], config.raw),
        ("option ", options, config.effective_options),
    ):
        a, b = _flat(norm(old)), _flat(norm(new))
        for k in sorted(set(a) | set(b)):
            if a.get(k, "(unset)") != b.get(k, "(unset)"):
                diffs.append(f"{what}{k}: checkpoint {a.get(k, '(unset)')!r}, now {b.get(k, '(unset)')!r}")
    return diffs


# ----------------------------------------------------------------------------- the driver
def _progress_bar(total: int, done: int, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=min(done, total), unit="it", desc=desc)


def _collect(draws: dict, sites: dict, extra: dict, keep, collected: int, s) -> tuple[dict, int]:
    """Store the kept transitions (``keep``: after the warm-up) of one block at position ``collected`` of ``draws``
    (allocated on first use: chains x samples); returns the draws and how many were kept."""
    n = int(keep.sum())
    if n:
        new = {
            **{f"site:{k}": np.asarray(v)[:, keep] for k, v in sites.items()},
            **{f"extra:{k}": np.asarray(v)[:, keep] for k, v in extra.items()},
        }
        if not draws:
            draws = {k: np.zeros((s.chains, s.samples, *v.shape[2:]), v.dtype) for k, v in new.items()}
        for k, v in new.items():
            draws[k][:, collected : collected + n] = v
    return draws, n


def _read_for_resume(ckpt: Path, config: Config, settings) -> tuple:
    """(header, state leaves, draws) of the checkpoint a resume continues, after checking it was made with these
    settings (CheckpointError naming the file or every difference)."""
    if not ckpt.exists():
        old = (
            " (checkpoint.pkl from an older jaxtmm is not read: a pickle can run code)"
            if (ckpt.parent / "checkpoint.pkl").exists()
            else ""
        )
        raise CheckpointError(f"nothing to resume: '{ckpt}' does not exist{old}")
    header, leaves, saved = read_checkpoint(ckpt)
    diffs = setting_differences(header, config, settings)
    if diffs:
        raise CheckpointError("resuming needs the settings of the interrupted run; differing: " + "; ".join(diffs))
    return header, leaves, saved


def sample(
    config: Config,
    settings,
    out: Path,
    resume: bool = False,
    progress: bool = True,
    stop_after_checkpoints: int | None = None,
) -> dict:
    """Run (or continue) NUTS; returns the accumulated arrays. ``stop_after_checkpoints`` simulates an
    interruption after that many checkpoints."""
    s = settings
    t0 = time.perf_counter()
    Path(out).mkdir(parents=True, exist_ok=True)
    ckpt = Path(out) / CHECKPOINT
    total = s.warmup + s.samples
    draws: dict = {}
    saved = _read_for_resume(ckpt, config, s) if resume else None  # before anything is compiled
    sampler = Sampler(config, s)
    if resume:
        header, leaves, arrays = saved
        state = sampler.state_from_leaves(leaves, str(ckpt))
        collected, steps, elapsed = int(header["collected"]), int(header["steps"]), float(header["elapsed_s"])
        draws = {
            k: np.concatenate([v, np.zeros((s.chains, s.samples - v.shape[1], *v.shape[2:]), v.dtype)], axis=1)
            for k, v in arrays.items()
        }
    else:
        state, collected, steps, elapsed = sampler.initial, 0, 0, 0.0
    checkpoints = 0
    last_ckpt = steps
    divergent = int(draws["extra:diverging"][:, :collected].sum()) if collected else 0
    bar = _progress_bar(total, steps, f"NUTS, {s.chains} chains ({sampler.method})") if progress else None
    try:
        while steps < total:
            state, it, sites, extra = sampler.advance(state)
            it = np.asarray(it)[0]  # iteration counter after each transition (the same in every chain)
            keep = (it > s.warmup) & (it <= total)
            draws, n = _collect(draws, sites, extra, keep, collected, s)
            if n:
                divergent += int(draws["extra:diverging"][:, collected : collected + n].sum())
                collected += n
            before, steps = steps, int(it[-1])
            if bar is not None:
                bar.update(min(steps, total) - min(before, total))
                phase = "warm-up" if steps < s.warmup else "sampling"
                bar.set_postfix_str(f"{phase}, {divergent} divergent", refresh=False)
            warmup_done = before < s.warmup <= steps
            if steps - last_ckpt >= s.chunk or warmup_done or steps >= total:
                elapsed_now = elapsed + time.perf_counter() - t0
                write_checkpoint(
                    ckpt,
                    _header(config, s, collected, steps, elapsed_now),
                    sampler.state_leaves(state),
                    draws,
                    collected,
                )
                last_ckpt = steps
                checkpoints += 1
                if stop_after_checkpoints is not None and checkpoints >= stop_after_checkpoints and steps < total:
                    return {
                        "arrays": {k: v[:, :collected] for k, v in draws.items()},
                        "done": collected,
                        "steps": steps,
                        "complete": False,
                    }
    finally:
        if bar is not None:
            bar.close()
    return {
        "arrays": draws,
        "done": collected,
        "steps": steps,
        "complete": True,
        "chain_method": sampler.method,
        "elapsed_s": elapsed + time.perf_counter() - t0,
        "space": sampler.space,
        "enabled": sampler.enabled,
    }


def parity_draws(arrays: dict, config: Config, seed: int) -> np.ndarray | None:
    """For a fit that sums over free CP parities: one combination per draw (chains, draws), drawn with its
    conditional probability ``parity_prob`` (a generator seeded by ``seed``); None when the parities are fixed."""
    if not config.signs:
        return None
    prob = arrays["site:parity_prob"]
    u = np.random.default_rng([seed, 12]).random(prob.shape[:-1] + (1,))
    return np.minimum((u > np.cumsum(prob, axis=-1)).sum(-1), prob.shape[-1] - 1)


def parity_names(config: Config) -> list[str]:
    """``parity_pm`` etc.: the variable holding each combination's conditional probability ``p(eta_c | u)``, the
    letters the signs (``p`` +1, ``m`` -1) of the free parities in file order; its posterior mean is the
    combination's posterior probability (Rao-Blackwellised)."""
    return ["parity_" + "".join("p" if c[k] > 0 else "m" for k in config.signs) for c in config.parity_combinations()]


def _pick(x: np.ndarray, idx) -> np.ndarray:
    """The chosen combination's value of a per-combination site (last axis), or the site itself."""
    return x if idx is None else np.take_along_axis(x, idx[..., None], axis=-1)[..., 0]


def _nuts_stats(a: dict) -> dict:
    steps = a["extra:num_steps"]
    return {
        "energy": a["extra:energy"],
        "diverging": a["extra:diverging"].astype(bool),
        "n_steps": steps,
        "tree_depth": np.floor(np.log2(np.maximum(steps, 1))).astype(np.int64) + 1,
        "acceptance_rate": a["extra:accept_prob"],
        "lp": -a["extra:potential_energy"],
        "step_size": a["extra:adapt_state.step_size"],
    }


def inference_data(draws, config: Config, seed: int = 0):
    """ArviZ's InferenceData of a run's :class:`fits.sample.base.Draws` (the draws of the chosen CP parities where
    they are free, drawn with ``seed``)."""
    a, space = draws.arrays, draws.space
    idx = parity_draws(a, config, seed)
    posterior = {n: a[f"site:{n}"] for n in param_names(space)}
    posterior.update({n: _pick(a[f"site:{n}"], idx) for n in DERIVED})
    posterior["u"] = a["site:u"]
    if idx is not None:
        combos = config.parity_combinations()
        for k in config.signs:
            posterior[k] = np.asarray([c[k] for c in combos])[idx]
        for j, name in enumerate(parity_names(config)):
            posterior[name] = a["site:parity_prob"][..., j]
    loglik = {site_name(lk.name): _pick(a[f"site:loglik_{site_name(lk.name)}"], idx) for lk in draws.enabled}
    stats = _nuts_stats(a) if "extra:energy" in a else {}  # a nested sampler's draws carry no transition statistics
    attrs = {
        "configuration": json.dumps(config.raw, default=str),
        "convention": config.convention,
        "moment": config.moment,
    }
    return _arviz.make(posterior, stats, loglik, attrs)
