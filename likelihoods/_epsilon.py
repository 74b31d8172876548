"""Shared by the invisible dark-photon searches: a 90% CL curve eps_90(m_A'), signal ~ eps^2."""

from likelihoods._data import LimitCurve
from likelihoods._limit import OneSidedLimit


def epsilon_limit(name, data_file, stat, citation, arxiv, when_closed="apply") -> OneSidedLimit:
    curve = LimitCurve.load(data_file)
    return OneSidedLimit(
        name=name,
        quantity="epsilon",
        unit="",
        power=2.0,
        stat=stat,
        value=lambda p: p.eps,
        limit=lambda p: curve.eps_90(p.m_Ap),
        citation=citation,
        arxiv=arxiv,
        data_file=data_file,
        constrains=lambda p: curve.in_range(p.m_Ap),
        requires_invisible=True,
        when_closed=when_closed,
    )
