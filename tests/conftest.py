"""Test configuration: float64 on (the library itself never flips it), shared reference data, the slow notebooks.

This is the project's only conftest.py: `--doctest-modules` imports every conftest.py as a module named `conftest`,
and a second one (it was notebooks/conftest.py) fails collection with an import-file mismatch."""

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

import jax
import pytest

jax.config.update("jax_enable_x64", True)

# One persistent compilation cache per test session (jax's, keyed on the lowered program, the compile options and
# the versions): the first process of the session makes the folder, and the xdist workers and the CLI subprocesses
# the tests start inherit it through the environment, so that a model compiled by one test is read back by the next
# that builds the same program, whichever process it runs in. Removed when that first process exits; a folder the
# user set is used as it is.
if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    _cache = tempfile.mkdtemp(prefix="jaxtmm-tests-jit-")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = _cache
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)
jax.config.update("jax_compilation_cache_dir", os.environ["JAX_COMPILATION_CACHE_DIR"])
# Every compilation, however short (jax's default keeps those over 1 s): the CLI subprocesses and the test files
# rebuild many small programs. Measured on 2 cores, Python 3.11: the default run 781 s with the default, 686 s
# with 0 (issue #23). Inherited by the workers and subprocesses through the environment.
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
jax.config.update(
    "jax_persistent_cache_min_compile_time_secs", float(os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"])
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def loop_ref():
    """mpmath reference values made by tests/make_reference.py."""
    return json.loads((DATA / "loop_reference.json").read_text())


# The notebooks run as tests (nbmake). The two that compile maximisers and a posterior (02: Fig. 6 and 7, 03: a
# posterior fit; about 2 and 1.5 minutes on 2 cores) are slow tests: `python -m pytest -m slow notebooks tests`
# runs them. The hook sees every collected item, the notebooks' included.
SLOW_NOTEBOOKS = {"02_fig6_fig7_and_the_paper.ipynb", "03_posterior_fit.ipynb"}


@pytest.hookimpl(tryfirst=True)  # before the -m selection deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_NOTEBOOKS:
            item.add_marker(pytest.mark.slow)
