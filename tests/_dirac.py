"""Explicit 4 x 4 Dirac matrices (Weyl basis) and the two-body width of a vector from spin and polarisation sums,
shared by the tests that check decay widths against explicit traces."""

import math

import numpy as np

METRIC = np.diag([1.0, -1.0, -1.0, -1.0])


def gammas():
    s = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])]
    I, Z = np.eye(2), np.zeros((2, 2))
    g = [np.block([[Z, I], [I, Z]]).astype(complex)] + [np.block([[Z, si], [-si, Z]]).astype(complex) for si in s]
    return g, 1j * g[0] @ g[1] @ g[2] @ g[3]


def vector_width(mV, M1, M2, vertex):
    """Width of a vector of mass mV to fermions of signed masses M1, M2 with vertex ``vertex(mu, g, g5, q)`` (the
    matrix multiplying eps_mu between ubar(p1) and v(p2)): (1/3) sum |M|^2 |p| / (8 pi mV^2)."""
    g, g5 = gammas()
    pabs = math.sqrt((mV**2 - (abs(M1) + abs(M2)) ** 2) * (mV**2 - (abs(M1) - abs(M2)) ** 2)) / (2 * mV)
    p1 = np.array([math.sqrt(pabs**2 + M1**2), 0, 0, pabs])
    p2 = np.array([math.sqrt(pabs**2 + M2**2), 0, 0, -pabs])
    q = p1 + p2
    slash = lambda k: sum(METRIC[m, m] * k[m] * g[m] for m in range(4))  # noqa: E731
    G = [vertex(m, g, g5, q) for m in range(4)]
    Gbar = [g[0] @ Gm.conj().T @ g[0] for Gm in G]
    total = 0.0
    for mu in range(4):
        for nu in range(4):
            pol = -METRIC[mu, nu] + q[mu] * q[nu] / mV**2
            t = np.trace((slash(p1) + M1 * np.eye(4)) @ G[mu] @ (slash(p2) - M2 * np.eye(4)) @ Gbar[nu])
            total += pol * METRIC[mu, mu] * METRIC[nu, nu] * t.real
    return total / 3 * pabs / (8 * math.pi * mV**2)
