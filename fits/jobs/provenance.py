"""What every job records of how its results were made: the command, the versions, the platform, the configuration, the
solver's settings, the seed and the SHA-256 of every data file the likelihoods read."""

import hashlib
import platform
import sys
import time
from importlib import metadata, resources

import jax

from fits.optimise.solver import settings_record
from fits.problem.config import Config

PACKAGES = ("jaxtmm", "jax", "jaxlib", "numpyro", "optax", "arviz", "numpy", "scipy", "matplotlib")


def versions() -> dict:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def data_hashes() -> dict:
    """SHA-256 of every data file the likelihoods read, by path below ``likelihoods/data``."""
    root = resources.files("likelihoods.data")
    out = {}
    for folder, prefix in ((root, ""), (root.joinpath("darkphoton"), "darkphoton/")):
        for f in sorted(folder.iterdir(), key=lambda f: f.name):
            if f.name.endswith((".csv", ".toml", ".lmt")):
                out[prefix + f.name] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def provenance(config: Config, settings, extra: dict) -> dict:
    """The provenance record of a job with the maximiser's ``settings`` and the job's own ``extra`` entries."""
    return {
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": " ".join(sys.argv),
        "versions": versions(),
        "platform": {
            "machine": platform.machine(),
            "system": platform.system(),
            "backend": jax.default_backend(),
            "devices": [str(d) for d in jax.devices()],
        },
        "configuration": {
            "source": config.source,
            "name": config.name,
            "file": config.raw,
            "effective_options": config.effective_options,
        },
        "maximiser": settings_record(settings),
        "seed": settings.seed,
        "data_sha256": data_hashes(),
        **extra,
    }
