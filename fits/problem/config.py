"""Fit configurations (TOML): which parameters are fixed, which are free with what prior, which likelihoods
are on, and the options. Presets ship in ``fits/presets/``; every problem is a :class:`ConfigError` that
names the key.

Schema::

    name = "paper"                      # optional
    description = "..."                 # optional

    [options]
    convention = "corrected"            # corrected | paper (the printed equations)
    meg_year = "auto"                   # auto | 2023 | 2025 (auto: 2023 for the paper's set alone, else 2025)
    moment = "12"                       # solar | 12 | 13 | 23: the mu_eff maximised and seen by Borexino
    invisible = "auto"                  # auto | apply | drop | physics: the invisible-mode limits' BR(A' -> invisible):
                                        # 1 (apply), 1 where A' -> dark states is open (drop), the point's (physics);
                                        # auto: apply for the paper's experiments alone, physics with any other
    likelihoods = ["MEG II", "NA64"]    # names from likelihoods.registry, or a set: "paper" | "complete"
    nu_mass_bound = "planck2018"        # planck2018 | desi2025: the neutrino-mass likelihood's bound
    tuning = 1.0                        # > 0: how far the loop neutrino mass may exceed that bound
    alpha_e = "combined"                # combined | Rb | Cs: the alpha behind the (g-2)_e prediction
    ordered = [["M1", "M2"]]            # optional: sample only M1 <= M2 (an exact symmetry: SYMMETRIC_PAIRS)
    [options.borexino]                  # optional recoil window, GeV
    T_min = 5e-5
    E_nu = 8.62e-4
    T_max = 6.0e-4                      # optional (default: the kinematic endpoint)

    [fixed]                             # numbers; y_* as [re, im]
    m_H1 = 0.3
    ...
    [free]                              # one prior each
    y_e1 = { prior = "disc", max = 3.5449077018110318 }          # complex, |y| <= max, uniform in the disc
    y_e2 = { prior = "logdisc", min = 1e-8, max = 3.5449077018110318 }  # ln|y| uniform in [ln min, ln max], any phase
    theta_R = { prior = "uniform", low = 0.0, high = 3.14159 }
    eps = { prior = "loguniform", low = 1e-8, high = 1e-2 }

    [pmns]                              # optional, degrees (default NuFIT 6.0)

Every parameter of a point (``jaxtmm.model``) is either fixed or free; ``Q_S``, the CP parities ``eta1``, ``eta2``
(+1 or -1; ``{ prior = "sign" }`` makes one free: the maximiser then solves every combination of the free parities
and keeps the best, and a posterior sums its likelihood over them) and ``y_scale`` (a real factor multiplying the whole Yukawa matrix, for configurations
that fix its shape) default to fixed 1.
"""

import tomllib
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path

from fits.problem import priors
from fits.problem.priors import Prior
from fits.sample import SAMPLERS
from jaxtmm.model import MASS_KEYS, PARITY_KEYS, REAL_KEYS, Y_FLAT
from jaxtmm.pmns import PMNS
from jaxtmm.validate import PMNS_RANGES, RANGES, finite_number, in_range, parity, perturbative, read_text, yukawa
from likelihoods import registry
from likelihoods.registry import OPTION_FIELDS, Options, check_option

PARAMS = Y_FLAT + REAL_KEYS + ("y_scale",)
DEFAULT_FIXED = {"Q_S": 1.0, "eta1": 1.0, "eta2": 1.0, "y_scale": 1.0}
PRIORS = priors.KEYS
#: A configuration's options are the likelihoods' (:class:`likelihoods.registry.Options`, each declared there once),
#: with two defaults of its own: a fit maximises |mu_12|, and applies MEG II, NA64 and BaBar unless told otherwise.
DEFAULT_CONFIG_OPTIONS = Options(moment="12")
DEFAULT_LIKELIHOODS = ("MEG II", "NA64", "BaBar")
#: The choices of each option that has them (the command line's choices read the same declarations).
OPTIONS = {n: f.metadata["choices"] for n, f in OPTION_FIELDS.items() if f.metadata["choices"]}
#: The [options] table's keys and defaults; the Borexino window is [options.borexino].
DEFAULT_OPTIONS = {
    **{n: getattr(DEFAULT_CONFIG_OPTIONS, n) for n, f in OPTION_FIELDS.items() if f.metadata["section"] is None},
    "likelihoods": DEFAULT_LIKELIHOODS,
}
WINDOW = tuple(n for n, f in OPTION_FIELDS.items() if f.metadata["section"] == "borexino")
#: Options that were renamed, and what to write instead.
RENAMED = {
    "loop": "option 'loop' was replaced by 'convention' (corrected | paper): loop = \"paper\" is "
    'convention = "paper"; loop = "derived" has no exact successor (corrected also halves the '
    "moment and takes its modulus, docs/derivation.md)"
}
PRESETS = ("paper", "aligned", "posterior", "global", "global-paper")


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Config:
    fixed: dict
    free: dict  # name -> Prior, in file order
    pmns: PMNS
    options: Options = (
        DEFAULT_CONFIG_OPTIONS  # every option as the file (or the command line) gives it, auto unresolved
    )
    likelihoods: tuple = DEFAULT_LIKELIHOODS
    ordered: tuple = ()  # pairs (a, b) sampled with a <= b (SYMMETRIC_PAIRS)
    name: str = ""
    description: str = ""
    sampler: str = "nuts"  # the default of `jaxtmm fit` for this configuration (a name of fits.sample.SAMPLERS; the
    # global presets name nested, the route that converges there, docs/fits.md)
    source: str = ""
    raw: dict = field(default_factory=dict)

    @property
    def signs(self) -> tuple:
        """The free CP parities (``sign`` prior), in file order."""
        return tuple(k for k, p in self.free.items() if p.kind == "sign")

    def parity_combinations(self) -> list[dict]:
        """Every assignment of +1 / -1 to the free parities (one empty dict where none is free)."""
        out = [{}]
        for k in self.signs:
            out = [{**c, k: v} for c in out for v in (1.0, -1.0)]
        return out

    def __getattr__(self, name):
        """An option by its name (``config.convention``), as the file gives it."""
        if name in OPTION_FIELDS:
            return getattr(self.options, name)
        raise AttributeError(f"'Config' object has no attribute {name!r}")

    @property
    def borexino(self) -> dict:
        """The ``[options.borexino]`` values the file gives (GeV)."""
        return {k: getattr(self.options, k) for k in WINDOW if getattr(self.options, k) is not None}

    @property
    def likelihood_options(self) -> Options:
        """The options every likelihood is built with: auto resolved for this configuration's constraints, the
        Borexino window filled with its defaults."""
        T_min, E_nu, T_max = self.borexino_window
        return registry.resolved(replace(self.options, T_min=T_min, E_nu=E_nu, T_max=T_max), self.likelihoods)

    @property
    def effective_options(self) -> dict:
        """Every option in force, the command line's overrides included: what outputs record as their provenance."""
        return {**asdict(self.likelihood_options), "likelihoods": list(self.likelihoods)}

    @property
    def borexino_window(self) -> tuple:
        """(T_min, E_nu, T_max) in GeV, the defaults of :mod:`likelihoods.borexino` where the file is silent."""
        from likelihoods.borexino import E_NU_DEFAULT, T_MIN_DEFAULT

        o = self.options
        return (T_MIN_DEFAULT if o.T_min is None else o.T_min, E_NU_DEFAULT if o.E_nu is None else o.E_nu, o.T_max)

    def largest(self, name: str) -> float:
        """The largest |value| parameter ``name`` can take under this configuration."""
        return _largest(name, self.fixed, self.free)

    def replace_options(self, **kw) -> "Config":
        """A copy with options changed (validated like the file); ``likelihoods`` is a set or list of names."""
        likelihoods = self.likelihoods
        if "likelihoods" in kw:
            try:
                likelihoods = registry.resolve(kw.pop("likelihoods"))
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
        unknown = sorted(set(kw) - set(OPTION_FIELDS))
        if unknown:
            raise ConfigError(f"unknown option(s): {', '.join(unknown)}")
        try:
            options = replace(self.options, **{k: check_option(k, v) for k, v in kw.items()})
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        return replace(self, options=options, likelihoods=likelihoods)


def _num(key, v):
    return finite_number(key, v, ConfigError)


def _table(raw, key):
    t = raw.get(key, {})
    if not isinstance(t, dict):
        raise ConfigError(f"'{key}' must be a table")
    return t


def _prior(name, spec) -> Prior:
    if not isinstance(spec, dict) or "prior" not in spec:
        raise ConfigError(f"'free.{name}' must be a table with a 'prior' key (one of {', '.join(PRIORS)})")
    kind = spec["prior"]
    if kind not in PRIORS:
        raise ConfigError(f"'free.{name}.prior' must be one of {', '.join(PRIORS)}, got {kind!r}")
    extra = set(spec) - {"prior", *PRIORS[kind]}
    if extra:
        raise ConfigError(f"unknown key(s) for a {kind} prior in 'free.{name}': {', '.join(sorted(extra))}")
    for k in PRIORS[kind]:
        if k not in spec:
            raise ConfigError(f"'free.{name}' needs '{k}' for a {kind} prior")
    if (name in PARITY_KEYS) != (kind == "sign"):
        raise ConfigError(
            f"'free.{name}': the CP parities eta1, eta2 take the 'sign' prior (+1 and -1 both tried) and only they do"
        )
    if kind == "sign":
        return priors.make("sign")
    args = {k: _num(f"free.{name}.{k}", spec[k]) for k in PRIORS[kind]}
    is_y = name in Y_FLAT
    if is_y != (kind in priors.COMPLEX_KINDS):
        raise ConfigError(f"'free.{name}': Yukawa couplings take the 'disc' or 'logdisc' prior and only they do")
    if kind in priors.COMPLEX_KINDS:
        if args["max"] <= 0:
            raise ConfigError(f"'free.{name}.max' must be positive")
        if kind == "logdisc" and not 0 < args["min"] < args["max"]:
            raise ConfigError(f"'free.{name}': a logdisc prior needs 0 < min < max")
        perturbative(f"'free.{name}.max'", args["max"], ConfigError, rtol=1e-12)
    else:
        if not args["low"] < args["high"]:
            raise ConfigError(f"'free.{name}': low must be below high")
        if kind == "loguniform" and args["low"] <= 0:
            raise ConfigError(f"'free.{name}': a loguniform prior needs low > 0")
        if kind == "circular" and (
            name not in priors.PERIODS or abs(args["high"] - args["low"] - priors.PERIODS.get(name, 0.0)) > 1e-12
        ):
            raise ConfigError(
                f"'free.{name}': a circular prior spans one period of a periodic parameter: theta_R and "
                "theta_I, with high - low = pi"
            )
        if name in MASS_KEYS and args["low"] <= 0:
            raise ConfigError(f"'free.{name}': masses must stay positive (low > 0)")
        if name in RANGES:
            for k in ("low", "high"):
                in_range(name, args[k], ConfigError, name=f"free.{name}.{k}")
    return priors.make(kind, **args)


#: Pairs of parameters whose exchange, with the changes named, leaves every likelihood unchanged (checked at random
#: points of the `global` preset to 1e-11, tests/test_global.py): a posterior may sample only the half a <= b.
SYMMETRIC_PAIRS = {
    ("M1", "M2"): "with both CP parities summed over: (M1, eta1) <-> (M2, -eta2)",
    ("m_H1", "m_H2"): "with m_A1 <-> m_A2 and theta_R, theta_I -> + pi/2 (a relabelling of the scalar mass states)",
}


def _ordered(spec, fixed, free) -> tuple:
    """The option ``ordered = [["M1", "M2"], ...]``: each pair one of :data:`SYMMETRIC_PAIRS`, whose symmetry the
    configuration must keep (equal priors, the parities free, circular angles)."""
    if not isinstance(spec, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in spec
    ):
        raise ConfigError(f"option 'ordered' must be a list of pairs of names, got {spec!r}")
    out = []
    for a, b in spec:
        if (a, b) not in SYMMETRIC_PAIRS:
            raise ConfigError(
                f"option 'ordered': [{a!r}, {b!r}] is not a symmetric pair; allowed: "
                + "; ".join(f"{list(k)} ({v})" for k, v in SYMMETRIC_PAIRS.items())
            )
        twins = [(a, b)] + ([("m_A1", "m_A2")] if a == "m_H1" else [])
        for p, q in twins:
            if p not in free or q not in free or free[p] != free[q] or free[p].kind not in ("uniform", "loguniform"):
                raise ConfigError(
                    f"option 'ordered' [{a!r}, {b!r}]: {p} and {q} must be free with the same uniform or "
                    "log-uniform prior"
                )
        if a == "M1" and (
            free.get("eta1", None) is None
            or free.get("eta2", None) is None
            or free["eta1"].kind != "sign"
            or free["eta2"].kind != "sign"
        ):
            raise ConfigError("option 'ordered' ['M1', 'M2']: the symmetry needs both CP parities free (prior 'sign')")
        if a == "m_H1" and any(k not in free or free[k].kind != "circular" for k in ("theta_R", "theta_I")):
            raise ConfigError(
                "option 'ordered' ['m_H1', 'm_H2']: the symmetry needs theta_R and theta_I free with the "
                "'circular' prior"
            )
        out.append((a, b))
    return tuple(out)


def _largest(name, fixed, free) -> float:
    """The largest |value| a parameter can take under the configuration."""
    if name in fixed:
        return abs(fixed[name])
    return free[name].largest


def _check_sizes(fixed, free) -> None:
    """Products that must stay perturbative: y_scale |y| for every coupling, and g_D |Q_S|."""
    scale = _largest("y_scale", fixed, free)
    for k in Y_FLAT:
        perturbative(f"the largest y_scale |{k}|", scale * _largest(k, fixed, free), ConfigError, rtol=1e-9)
    perturbative(
        "the largest g_D |Q_S|", _largest("g_D", fixed, free) * _largest("Q_S", fixed, free), ConfigError, rtol=1e-9
    )


def _options(opts: dict, borexino: dict) -> tuple:
    """The [options] and [options.borexino] tables -> (Options, likelihoods), each value checked against its
    declaration (likelihoods.registry.Options)."""
    table = {n for n, f in OPTION_FIELDS.items() if f.metadata["section"] is None}
    unknown = sorted(set(opts) - table - {"likelihoods"})
    if unknown:
        raise ConfigError(f"unknown option(s): {', '.join(unknown)}")
    try:
        given = {k: check_option(k, v) for k, v in opts.items() if k != "likelihoods"}
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    likelihoods = DEFAULT_LIKELIHOODS
    if "likelihoods" in opts:
        lk = opts["likelihoods"]
        if not isinstance(lk, (list, str)) or (isinstance(lk, list) and not all(isinstance(x, str) for x in lk)):
            raise ConfigError(
                f"option 'likelihoods' must be a constraint set ({', '.join(registry.SET_NAMES)}) or a "
                f"list drawn from {', '.join(registry.names())}, got {lk!r}"
            )
        try:
            likelihoods = registry.resolve(lk)
        except ValueError as exc:
            raise ConfigError(f"option 'likelihoods': {exc}") from None
    for k in borexino:
        if k not in WINDOW:
            raise ConfigError(f"unknown key 'options.borexino.{k}' (allowed: {', '.join(WINDOW)})")
        borexino[k] = _num(f"options.borexino.{k}", borexino[k])
    if borexino:
        from likelihoods.borexino import E_NU_DEFAULT, T_MIN_DEFAULT, check_window

        try:
            check_window(
                borexino.get("T_min", T_MIN_DEFAULT), borexino.get("E_nu", E_NU_DEFAULT), borexino.get("T_max")
            )
        except ValueError as exc:
            raise ConfigError(f"options.borexino: {exc}") from None
    return replace(DEFAULT_CONFIG_OPTIONS, **given, **borexino), likelihoods


def parse_config(raw: dict, source: str = "<config>") -> Config:
    top = {"name", "description", "sampler", "options", "fixed", "free", "pmns"}
    unknown = sorted(set(raw) - top)
    if unknown:
        raise ConfigError(f"unknown top-level key(s): {', '.join(unknown)} (allowed: {', '.join(sorted(top))})")
    opts = dict(_table(raw, "options"))
    borexino = dict(opts.pop("borexino", {}) or {})
    for k in RENAMED:
        if k in opts:
            raise ConfigError(RENAMED[k])
    ordered_raw = opts.pop("ordered", [])
    options, likelihoods = _options(opts, borexino)
    fixed_raw, free_raw = _table(raw, "fixed"), _table(raw, "free")
    for sect, t in (("fixed", fixed_raw), ("free", free_raw)):
        bad = sorted(set(t) - set(PARAMS))
        if bad:
            raise ConfigError(f"unknown parameter(s) in [{sect}]: {', '.join(bad)}")
    both = sorted(set(fixed_raw) & set(free_raw))
    if both:
        raise ConfigError(f"parameter(s) both fixed and free: {', '.join(both)}")
    fixed = {}
    for k, v in fixed_raw.items():
        if k in Y_FLAT:
            if not isinstance(v, list) or len(v) != 2:
                raise ConfigError(f"'fixed.{k}' must be a pair [re, im]")
            fixed[k] = yukawa(f"fixed.{k}", _num(f"fixed.{k}[0]", v[0]), _num(f"fixed.{k}[1]", v[1]), ConfigError)
        else:
            fixed[k] = _num(f"fixed.{k}", v)
            if k in MASS_KEYS and fixed[k] <= 0:
                raise ConfigError(f"'fixed.{k}' is a mass and must be positive, got {fixed[k]}")
            if k in PARITY_KEYS:
                parity(f"fixed.{k}", fixed[k], ConfigError)
            if k in RANGES:
                in_range(k, fixed[k], ConfigError, name=f"fixed.{k}")
    for k, v in DEFAULT_FIXED.items():
        if k not in fixed_raw and k not in free_raw:
            fixed[k] = v
    free = {k: _prior(k, v) for k, v in free_raw.items()}
    missing = [k for k in PARAMS if k not in fixed and k not in free]
    if missing:
        raise ConfigError(f"parameter(s) neither fixed nor free: {', '.join(missing)}")
    pmns_raw = _table(raw, "pmns")
    for k in pmns_raw:
        if k not in PMNS._fields:
            raise ConfigError(f"unknown key 'pmns.{k}' (allowed: {', '.join(PMNS._fields)})")
    pmns = PMNS.from_degrees(
        **{k: in_range(k, _num(f"pmns.{k}", v), ConfigError, PMNS_RANGES, f"pmns.{k}") for k, v in pmns_raw.items()}
    )
    _check_sizes(fixed, free)
    ordered = _ordered(ordered_raw, fixed, free)
    sampler = raw.get("sampler", "nuts")
    if sampler not in SAMPLERS:
        raise ConfigError(f"'sampler' must be one of {', '.join(SAMPLERS)}, got {sampler!r}")
    return Config(
        fixed=fixed,
        free=free,
        pmns=pmns,
        options=options,
        likelihoods=likelihoods,
        ordered=ordered,
        name=str(raw.get("name", "")),
        description=str(raw.get("description", "")),
        sampler=sampler,
        source=source,
        raw=raw,
    )


def build_likelihoods(config: Config) -> dict:
    """Every likelihood the configuration's options describe, by name (enabled or not)."""
    return {lk.name: lk for lk in registry.build("complete", config.likelihood_options)}


def load_config(path) -> Config:
    path = Path(path)
    return _parse_text(read_text(path, "configuration", ConfigError), str(path))


def _parse_text(text, source):
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML: {exc}") from None
    return parse_config(raw, source)


def preset_config(name: str) -> Config:
    if name not in PRESETS:
        raise ConfigError(f"unknown preset '{name}' (available: {', '.join(PRESETS)})")
    text = resources.files("fits.presets").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return _parse_text(text, f"preset '{name}'")
