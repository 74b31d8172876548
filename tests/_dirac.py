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
    slash = lambda k: sum(METRIC[m, m] * k[m] * g[m] for m in range(4))
    G = [vertex(m, g, g5, q) for m in range(4)]
    Gbar = [g[0] @ Gm.conj().T @ g[0] for Gm in G]
    total = 0.0
    for mu in range(4):
        for nu in range(4):
            pol = -METRIC[mu, nu] + q[mu] * q[nu] / mV**2
            t = np.trace((slash(p1) + M1 * np.eye(4)) @ G[mu] @ (slash(p2) - M2 * np.eye(4)) @ Gbar[nu])
            total += pol * METRIC[mu, mu] * METRIC[nu, nu] * t.real
    return total / 3 * pabs / (8 * math.pi * mV**2)


def _slash(g, k):
    return sum(METRIC[m, m] * k[m] * g[m] for m in range(4))


def _two_body(M, m1, m2):
    """Back-to-back momenta of a decay of mass M at rest to |m1|, |m2| (along a tilted axis, not a special one)."""
    pabs = math.sqrt((M**2 - (abs(m1) + abs(m2)) ** 2) * (M**2 - (abs(m1) - abs(m2)) ** 2)) / (2 * M)
    n = np.array([0.3, -0.5, 0.81])
    n /= np.linalg.norm(n)
    k1 = np.concatenate([[math.sqrt(pabs**2 + m1**2)], pabs * n])
    k2 = np.concatenate([[math.sqrt(pabs**2 + m2**2)], -pabs * n])
    return pabs, k1, k2


def fermion_vector_width(m1, m2, mV, vertex):
    """Width of a fermion of signed mass m1 (at rest) to a fermion of signed mass m2 and a vector of mass mV, with the
    vertex ``vertex(mu, g, g5)`` between ubar(k2) and u(p): (1/2) sum |M|^2 |k| / (8 pi |m1|^2), from explicit traces."""
    g, _ = gammas()
    M = abs(m1)
    pabs, k2, kV = _two_body(M, m2, mV)
    p = np.array([M, 0.0, 0.0, 0.0])
    g5 = gammas()[1]
    G = [vertex(m, g, g5) for m in range(4)]
    Gbar = [g[0] @ Gm.conj().T @ g[0] for Gm in G]
    total = 0.0
    for mu in range(4):
        for nu in range(4):
            pol = -METRIC[mu, nu] + kV[mu] * kV[nu] / mV**2
            t = np.trace((_slash(g, k2) + m2 * np.eye(4)) @ G[mu] @ (_slash(g, p) + m1 * np.eye(4)) @ Gbar[nu])
            total += pol * METRIC[mu, mu] * METRIC[nu, nu] * t.real
    return total / 2 * pabs / (8 * math.pi * M**2)


def fermion_scalar_width(m1, m2, mS, coupling):
    """Width of a fermion of signed mass m1 to a fermion of signed mass m2 and a scalar, vertex ``coupling(g5)``
    between ubar(k2) and u(p), from explicit traces."""
    g, g5 = gammas()
    M = abs(m1)
    pabs, k2, _ = _two_body(M, m2, mS)
    p = np.array([M, 0.0, 0.0, 0.0])
    V = coupling(g5)
    Vbar = g[0] @ V.conj().T @ g[0]
    t = np.trace((_slash(g, k2) + m2 * np.eye(4)) @ V @ (_slash(g, p) + m1 * np.eye(4)) @ Vbar).real
    return t / 2 * pabs / (8 * math.pi * M**2)


def scalar_fermions_width(mS, m1, m2, coupling):
    """Width of a scalar to ubar(k1) [vertex] v(k2) with signed masses m1, m2, from explicit traces (one final state)."""
    g, g5 = gammas()
    pabs, k1, k2 = _two_body(mS, m1, m2)
    V = coupling(g5)
    Vbar = g[0] @ V.conj().T @ g[0]
    t = np.trace((_slash(g, k1) + m1 * np.eye(4)) @ V @ (_slash(g, k2) - m2 * np.eye(4)) @ Vbar).real
    return t * pabs / (8 * math.pi * mS**2)
