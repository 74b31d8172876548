"""Optimisation: the maximiser of mu_eff under constraints (:mod:`~fits.optimise.maximise`: augmented Lagrangian
with projected Adam, vmapped over problems and starts), the batched solver's building blocks
(:mod:`~fits.optimise.solver`), the SLSQP polish (:mod:`~fits.optimise.sqp`), the KKT residual
(:mod:`~fits.optimise.kkt`) and the step over the free CP parities (:mod:`~fits.optimise.parity`). Imports
``fits.problem``, never ``fits.sample`` or ``fits.jobs``."""
