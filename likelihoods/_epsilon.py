"""Shared by the invisible dark-photon searches: a 90% CL curve eps_90(m_A'), signal ~ eps^2 BR(A' -> invisible).

With ``invisible = "physics"`` the signal sees the point's own branching ratio: ``value = eps sqrt(BR_inv)``
(:func:`jaxtmm.darkphoton.invisible_fraction`); otherwise BR_inv = 1, as the seed paper has it."""

from jaxtmm.darkphoton import invisible_fraction
from jaxtmm.quadrature import safe_sqrt
from likelihoods._data import LimitCurve
from likelihoods._limit import OneSidedLimit


def epsilon_limit(name, data_file, stat, citation, arxiv, invisible="apply", convention="corrected") -> OneSidedLimit:
    curve = LimitCurve.load(data_file)
    if invisible == "physics":
        value = lambda p: p.eps * safe_sqrt(invisible_fraction(p, convention))
    else:
        value = lambda p: p.eps
    return OneSidedLimit(
        name=name,
        quantity="epsilon",
        unit="",
        power=2.0,
        stat=stat,
        value=value,
        limit=lambda p: curve.eps_90(p.m_Ap),
        citation=citation,
        arxiv=arxiv,
        data_file=data_file,
        constrains=lambda p: curve.in_range(p.m_Ap),
        requires_invisible=True,
        invisible=invisible,
        mass_range=(curve.m_min, curve.m_max),
    )
