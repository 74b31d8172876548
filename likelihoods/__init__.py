"""Experimental constraints as differentiable log-likelihoods (MEG II, NA64, BaBar, Borexino).

Not implemented yet: this package is the place for the work of the constraints issue (#3).
"""
