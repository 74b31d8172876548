"""Experimental constraints as differentiable log-likelihoods of a :class:`jaxtmm.Point`.

Each experiment is one module with its data file in ``likelihoods/data/`` and its citation, registered in
:mod:`likelihoods.registry` (the one list every other part of jaxtmm reads), built on one generic
:class:`OneSidedLimit` with an explicit statistical model (:class:`HalfNormal` or :class:`ZeroObservedPoisson`):

* :mod:`likelihoods.meg_ii` -- BR(mu -> e gamma), 2023 (3.1e-13, default) or 2025 (1.5e-13);
* :mod:`likelihoods.na64` and :mod:`likelihoods.babar` -- epsilon vs m_A' for invisible dark photons;
* :mod:`likelihoods.borexino` -- mu_eff with the massive-mediator recast :func:`recast_limit` (Eq. 3.10, 3.11);

and, in the ``complete`` set only, what the seed paper leaves out (:class:`Measurement` with a :class:`Gaussian`
statistic for measured shifts):

* :mod:`likelihoods.borexino_rate` -- the 7Be rate against the solar model, moved by the A' nu nu vector form factor;
* :mod:`likelihoods.texono_rate` -- TEXONO's reactor anti-nu_e e cross section against the Standard Model, likewise;
* :mod:`likelihoods.neutrino_mass` -- the one-loop neutrino mass against cosmology (with a tuning factor);
* :mod:`likelihoods.z_width` and :mod:`likelihoods.oblique_t` -- Delta N_nu and T of the vector-like doublet;
* :mod:`likelihoods.lep_heavy_lepton` -- LEP's lower limit on M_E; :mod:`likelihoods.lhc_heavy_lepton` -- the LHC's
  two-lepton + missing-energy mass bounds on E (published, by E's decays; not a recast);
* :mod:`likelihoods.perturbativity` -- every dark state's width below half its mass (``jaxtmm.widths``);
* :mod:`likelihoods.g2_muon` and :mod:`likelihoods.g2_electron` -- Delta a_mu (2025 SM) and Delta a_e (alpha from
  Rb or Cs), each with the dark photon's own loop;
* :mod:`likelihoods.searches` -- every prompt, beam-dump and invisible dark-photon search of DarkCast's compilation,
  recast to the point's branching ratios and lifetime (:mod:`likelihoods.darkphoton`: the NumPy recast), as one
  entry ``A' searches`` (each search also by name);

* :mod:`likelihoods.relic` -- the relic abundance of the lightest Z2-odd state, ``Omega h^2 <= 0.120``;
* :mod:`likelihoods.sn1987a` -- the supernova cooling band in (m_A', eps);
* :mod:`likelihoods.bbn` -- BBN and N_eff: every state in equilibrium at a temperature of its mass above 3.7 MeV
  (8.5 MeV for an A' decaying to e+e-).

Each module's ``likelihood(...)`` builds it; :func:`build` builds a constraint set (``paper``, ``complete``)
or a list of names. Every likelihood is a pure JAX function of the point (``jit``, ``vmap``, ``grad``).
No attribute of this package shadows one of its modules.
"""

from likelihoods import (
    babar,
    bbn,
    borexino,
    borexino_rate,
    darkphoton,
    g2_electron,
    g2_muon,
    lep_heavy_lepton,
    lhc_heavy_lepton,
    meg_ii,
    na64,
    neutrino_mass,
    oblique_t,
    perturbativity,
    registry,
    relic,
    searches,
    sn1987a,
    texono_rate,
    z_width,
)
from likelihoods._data import LimitCurve
from likelihoods._limit import Gaussian, HalfNormal, Measurement, OneSidedLimit, ZeroObservedPoisson
from likelihoods.borexino import recast_limit
from likelihoods.registry import Options, build, constraint_set
from likelihoods.summary import default_likelihoods, report, total_log_likelihood, unsatisfiable_at, with_couplings

__all__ = [
    "Gaussian",
    "HalfNormal",
    "LimitCurve",
    "Measurement",
    "OneSidedLimit",
    "Options",
    "ZeroObservedPoisson",
    "babar",
    "bbn",
    "borexino",
    "borexino_rate",
    "build",
    "constraint_set",
    "darkphoton",
    "default_likelihoods",
    "g2_electron",
    "g2_muon",
    "lep_heavy_lepton",
    "lhc_heavy_lepton",
    "meg_ii",
    "na64",
    "neutrino_mass",
    "oblique_t",
    "perturbativity",
    "recast_limit",
    "registry",
    "relic",
    "report",
    "searches",
    "sn1987a",
    "texono_rate",
    "total_log_likelihood",
    "unsatisfiable_at",
    "with_couplings",
    "z_width",
]
