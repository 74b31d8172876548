"""Produce tests/data/relic_reference.json: Omega h^2 of a self-conjugate (g = 2) candidate with a constant s-wave
<sigma v>, by an implementation independent of jaxtmm.relic: the Boltzmann equation in Gondolo & Gelmini's form in
the variable ln x (x = m / T),

    dY/dln x = - sqrt(pi/45) g_*^{1/2} m M_Pl <sigma v> / x (Y^2 - Y_eq^2),
    g_*^{1/2} = h/sqrt(g) (1 + dln h/dln T / 3),

integrated by scipy.integrate.solve_ivp (Radau, rtol 1e-10) one table interval at a time (g_*, h_* are the same
Saikawa-Shirai table, read here as plain text, linear in (ln T, ln g) as jaxtmm.relic has them, so dln h/dln T is
constant on each interval and the right-hand side is smooth inside each solve), with Y_eq from scipy.special.kve,
from Y(x = 1) = Y_eq(1) down to T = 1e-9 GeV; below that, with g_*, h_* constant and Y_eq = 0, the rest integrates
exactly: 1/Y_inf = 1/Y + sqrt(pi/45) (h/sqrt(g)) M_Pl <sigma v> T. jaxtmm.relic instead integrates in the entropy
variable with BDF2 and adds the tail after x = 1000 by quadrature.

Also Gondolo & Gelmini's thermal average for sigma v_lab = a + b v_lab^2 at four x, by mpmath quadrature of the
integral in its original form (mpmath.besselk).

Run from the repository root: `python tests/make_reference_relic.py` (about three minutes).
"""

import itertools
import json
import math
import sys
import time
from pathlib import Path

import mpmath
import numpy as np
from scipy.integrate import solve_ivp
from scipy.special import kve

TABLE = Path(__file__).parents[1] / "jaxtmm" / "gstar" / "saikawa_shirai_2018.dat"
OUT = Path(__file__).parent / "data" / "relic_reference.json"
M_PL = 1.220890e19  # GeV (PDG 2024)
GEV2_CM3_S = 0.3893793721e-27 * 2.99792458e10  # 1 GeV^-2 in cm^3/s
S0, RHO_C = 2891.2, 1.0536724e-5  # cm^-3, GeV cm^-3 / h^2 (PDG 2024)
T_STOP = 1e-9  # GeV
TA_M, TA_A, TA_B = 7.0, 2.0e-9, 3.0e-9  # thermal averages: m [GeV], sigma v_lab = a + b v_lab^2 [GeV^-2]
TA_X = [1.0, 3.0, 20.0, 150.0]
CASES = [(0.01, 4.0e-26), (0.3, 5.0e-26), (1.0, 4.7e-26), (10.0, 2.6e-26), (100.0, 2.3e-26), (1000.0, 2.4e-26)]


def load():
    d = np.loadtxt(TABLE, comments="#")
    return np.log(d[:, 0]), np.log(d[:, 1]), np.log(d[:, 3])


def omega(m, sv_cm3_s, rtol=1e-10):
    lnT, lng, lnh = load()
    sv = sv_cm3_s / GEV2_CM3_S
    slope = np.diff(lnh) / np.diff(lnT)

    def interval(lt):  # the table interval of ln T = lt; -1 below the table, len(slope) above
        if lt <= lnT[0] or lt >= lnT[-1]:
            return -1 if lt <= lnT[0] else len(slope)
        return int(np.searchsorted(lnT, lt, side="right")) - 1

    def eos(lt, i=None):  # ln g, ln h, dln h/dln T on interval i (edge values held outside the table)
        i = interval(lt) if i is None else i
        if i < 0 or i >= len(slope):
            return (lng[0], lnh[0], 0.0) if i < 0 else (lng[-1], lnh[-1], 0.0)
        t = (lt - lnT[i]) / (lnT[i + 1] - lnT[i])
        return lng[i] + t * (lng[i + 1] - lng[i]), lnh[i] + t * (lnh[i + 1] - lnh[i]), slope[i]

    def rhs(lx, y, seg):
        x = math.exp(lx)
        lg, lh, s = eos(math.log(m) - lx, seg)
        h = math.exp(lh)
        gs = h / math.exp(0.5 * lg) * (1.0 + s / 3.0)
        yeq = 45.0 * 2.0 / (4.0 * math.pi**4) * x * x * kve(2, x) * math.exp(-x) / h if x < 800.0 else 0.0
        return [-math.sqrt(math.pi / 45.0) * gs * m * M_PL * sv / x * (y[0] ** 2 - yeq**2)]

    def jac(lx, y, seg):
        x = math.exp(lx)
        lg, lh, s = eos(math.log(m) - lx, seg)
        gs = math.exp(lh) / math.exp(0.5 * lg) * (1.0 + s / 3.0)
        return [[-math.sqrt(math.pi / 45.0) * gs * m * M_PL * sv / x * 2.0 * y[0]]]

    lx0, lx1 = 0.0, math.log(m / T_STOP)
    # break points: the table nodes between the two ends, in ln x
    nodes = math.log(m) - lnT[::-1]
    breaks = [lx0] + [b for b in nodes if lx0 < b < lx1] + [lx1]
    lg, lh, _ = eos(math.log(m))
    y = [45.0 * 2.0 / (4.0 * math.pi**4) * kve(2, 1.0) * math.exp(-1.0) / math.exp(lh)]
    for a, b in itertools.pairwise(breaks):
        seg = interval(math.log(m) - 0.5 * (a + b))
        sol = solve_ivp(rhs, (a, b), y, method="Radau", rtol=rtol, atol=1e-40, jac=jac, args=(seg,))
        if not sol.success:
            raise RuntimeError(sol.message)
        y = [sol.y[0, -1]]
    lg, lh, _ = eos(math.log(T_STOP))
    inv = 1.0 / y[0] + math.sqrt(math.pi / 45.0) * math.exp(lh - 0.5 * lg) * M_PL * sv * T_STOP
    return m * S0 / inv / RHO_C


def thermal_average_mpmath(b, x, m=TA_M, a=TA_A):
    """Gondolo & Gelmini's <sigma v> = x / (8 m^5 K_2(x)^2) int_{4m^2}^inf sigma (s - 4m^2) sqrt(s) K_1(x sqrt(s)/m) ds
    for sigma = (a + b v_lab^2) / v_lab, v_lab = sqrt(s (s - 4m^2)) / (s - 2m^2), by mpmath at 25 digits."""
    mpmath.mp.dps = 25
    m, x, a, b = (mpmath.mpf(v) for v in (m, x, a, b))
    s0 = 4 * m**2

    def integrand(t):  # t = s - 4 m^2, so that nothing cancels near threshold
        s = s0 + t
        v = mpmath.sqrt(s * t) / (t + 2 * m**2)
        return (a + b * v**2) / v * t * mpmath.sqrt(s) * mpmath.besselk(1, x * mpmath.sqrt(s) / m)

    # break points on the scale of the Boltzmann factor exp(-x (sqrt(s)/m - 2)) ~ exp(-x t / (4 m^2)): with fewer,
    # tanh-sinh misses 2e-7 of the integral at x >= 20
    pts = [0] + [s0 * c / x for c in (0.1, 1, 3, 10, 30, 100, 300)] + [mpmath.inf]
    return float(x / (8 * m**5 * mpmath.besselk(2, x) ** 2) * mpmath.quad(integrand, pts))


def main():
    averages = []
    for x in TA_X:
        for b in (0.0, TA_B):
            t = time.time()
            averages.append({"x": x, "a": TA_A, "b": b, "sigma_v": thermal_average_mpmath(b, x)})
            print(
                f"<sigma v>(x = {x:g}, b = {b:g}) = {averages[-1]['sigma_v']:.15g}, {time.time() - t:.1f} s",
                file=sys.stderr,
            )
    rows = []
    for m, sv in CASES:
        t = time.time()
        om = omega(m, sv)
        om2 = omega(m, sv, rtol=1e-11)
        rows.append({"m_GeV": m, "sigma_v_cm3_s": sv, "omega_h2": om, "omega_h2_rtol_1e-11": om2})
        print(
            f"m = {m:g} GeV, sigma v = {sv:.2e}: Omega h^2 = {om:.10g} ({om2 / om - 1:+.1e} at rtol 1e-11), "
            f"{time.time() - t:.1f} s",
            file=sys.stderr,
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "source": "tests/make_reference_relic.py: scipy solve_ivp Radau, rtol 1e-10, per table interval",
                "g_chi": 2,
                "self_conjugate": True,
                "cases": rows,
                "thermal_average": {
                    "source": "Gondolo & Gelmini's integral by mpmath.quad, 25 digits",
                    "m_GeV": TA_M,
                    "sigma_times_v_lab": "a + b v_lab^2, GeV^-2",
                    "values": averages,
                },
            },
            indent=1,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
