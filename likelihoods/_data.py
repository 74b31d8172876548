"""Reading the experiments' data files (``likelihoods/data/``) and interpolating limit curves."""

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import jax.numpy as jnp
import numpy as np

DATA_PACKAGE = "likelihoods.data"


def data_path(name: str):
    return resources.files(DATA_PACKAGE).joinpath(name)


@cache
def read_toml(name: str) -> dict:
    return tomllib.loads(data_path(name).read_text(encoding="utf-8"))


@dataclass(frozen=True, eq=False)
class LimitCurve:
    """A tabulated 90% CL limit on epsilon vs m_A', interpolated linearly in (log m, log eps).

    Outside ``[mass[0], mass[-1]]`` the experiment says nothing: :meth:`in_range` is False there and the
    curve is never extrapolated.
    """

    file: str
    header: tuple[str, ...]
    mass: np.ndarray
    eps: np.ndarray

    @classmethod
    @cache
    def load(cls, file: str) -> "LimitCurve":
        lines = data_path(file).read_text(encoding="utf-8").splitlines()
        header = tuple(ln[1:].strip() for ln in lines if ln.startswith("#"))
        rows = list(csv.reader(ln for ln in lines if ln and not ln.startswith("#")))
        if rows[0] != ["mass_GeV", "epsilon_90CL"]:
            raise ValueError(f"{file}: expected columns mass_GeV,epsilon_90CL, got {rows[0]}")
        data = np.array(rows[1:], dtype=np.float64)
        mass, eps = data[:, 0], data[:, 1]
        if not (np.all(np.diff(mass) > 0) and np.all(eps > 0)):
            raise ValueError(f"{file}: masses must increase and limits be positive")
        return cls(file, header, mass, eps)

    @property
    def m_min(self) -> float:
        return float(self.mass[0])

    @property
    def m_max(self) -> float:
        return float(self.mass[-1])

    def in_range(self, m):
        return (m >= self.m_min) & (m <= self.m_max)

    def eps_90(self, m):
        """The limit at mass m (clamped to the end values outside the range; use :meth:`in_range`)."""
        logm = jnp.log(jnp.clip(m, self.m_min, self.m_max))
        return jnp.exp(jnp.interp(logm, jnp.log(self.mass), jnp.log(self.eps)))
