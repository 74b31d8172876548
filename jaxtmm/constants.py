"""Physical constants, each with its source on the same line (physics-spec section 1).

Every number the physics uses lives here and nowhere else.
"""

import math

ALPHA_EM = 1.0 / 137.035999084  # fine-structure constant, Thomson limit (PDG 2024 / CODATA 2018)
M_E_GEV = 0.51099895e-3  # electron mass [GeV] (PDG 2024)
M_MU_GEV = 105.6583755e-3  # muon mass [GeV] (PDG 2024)
G_F_GEV2 = 1.1663788e-5  # Fermi constant [GeV^-2] (PDG 2024)

E_CHARGE = math.sqrt(4.0 * math.pi * ALPHA_EM)  # e in natural (Heaviside-Lorentz) units
# mu / mu_B = mu[GeV^-1] * 2 m_e / e, since mu_B = e / (2 m_e) (physics-spec section 1)
GEV_INV_TO_MU_B = 2.0 * M_E_GEV / E_CHARGE

# NuFIT 6.0 (2024), normal ordering, best fit (with SK atmospheric data); degrees.
NUFIT60_NO_DEG = {
    "theta12": 33.68,
    "theta13": 8.56,
    "theta23": 43.3,
    "delta_CP": 212.0,
    "alpha21": 0.0,  # Majorana phases: not measured, set to zero by convention
    "alpha31": 0.0,
}

# Electroweak inputs of the consistency observables (jaxtmm.electroweak, jaxtmm.widths).
M_Z_GEV = 91.1880  # Z mass [GeV] (PDG 2024)
S2W_MSBAR = 0.23129  # sin^2 theta_W, MS-bar at m_Z (PDG 2024); the normalisation of the oblique T
M_W_GEV = 80.3692  # W mass [GeV] (PDG 2024 world average); with G_F the SU(2) coupling of jaxtmm.widths
M_PLANCK_GEV = 1.220890e19  # Planck mass [GeV] (PDG 2024), in the Hubble rate of likelihoods.bbn
G_STAR_MEV = 10.75  # effective relativistic degrees of freedom between ~1 and ~100 MeV (photon, e+-, 3 nu)
