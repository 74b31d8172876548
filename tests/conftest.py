"""Test configuration: float64 on (the library itself never flips it), shared reference data."""

import json
from pathlib import Path

import jax
import pytest

jax.config.update("jax_enable_x64", True)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def loop_ref():
    """mpmath reference values made by tests/make_reference.py."""
    return json.loads((DATA / "loop_reference.json").read_text())
