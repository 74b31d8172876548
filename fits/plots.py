"""Figures. Built on ``matplotlib.figure.Figure`` (no pyplot state, no GUI backend needed)."""

import numpy as np
from matplotlib.figure import Figure

from likelihoods.borexino import E_NU_DEFAULT, MU_BOREXINO, T_MIN_DEFAULT, check_window, recast_limit


def fig6_borexino(T_min=T_MIN_DEFAULT, E_nu=E_NU_DEFAULT, T_max=None, m_range=(1e-6, 10.0), n_masses=400) -> Figure:
    """The seed paper's Fig. 6: the Borexino limit on mu_eff recast for a massive A' (Eq. 3.10), with the
    massless-photon baseline, against m_A' on log axes."""
    T_min, E_nu, T_max = check_window(T_min, E_nu, T_max)
    m = np.logspace(np.log10(m_range[0]), np.log10(m_range[1]), n_masses)
    mu = np.asarray(recast_limit(m, T_min, E_nu, T_max))
    fig = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = fig.add_subplot()
    ax.fill_between(m, mu, mu.max() * 10, color="tab:purple", alpha=0.12, lw=0)
    ax.loglog(m, mu, color="tab:purple", lw=2,
              label=f"Borexino recast, massive $A'$ (Eq. 3.10): $E_\\nu$ = {E_nu * 1e6:.0f} keV, "
                    f"$T$ in [{T_min * 1e6:.0f}, {T_max * 1e6:.0f}] keV")  # fmt: skip
    ax.axhline(MU_BOREXINO, color="gray", ls="--", lw=1.5,
               label=f"massless photon: {MU_BOREXINO:.1e} $\\mu_B$ (Borexino, PRD 96, 091103 (2017))")  # fmt: skip
    ax.set_xlim(m[0], m[-1])
    ax.set_ylim(MU_BOREXINO / 3, mu.max() * 3)
    ax.set_xlabel("dark photon mass $m_{A'}$ [GeV]")
    ax.set_ylabel(r"$\mu_\mathrm{eff}$ upper limit, 90% CL [$\mu_B$]")
    ax.set_title("Fig. 6: Borexino limit on the effective dark magnetic moment")
    ax.text(0.03, 0.55, "excluded", transform=ax.transAxes, color="tab:purple")
    ax.legend(loc="upper left", fontsize=7.5)
    ax.grid(True, which="major", alpha=0.3)
    return fig
