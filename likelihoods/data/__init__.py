"""Published limits used by the likelihoods, each file with its source in its header."""
