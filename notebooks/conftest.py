"""The notebooks run as tests (nbmake). The two that compile maximisers and a posterior (02: Fig. 6 and 7, 03: a
posterior fit; about 2 and 1.5 minutes on 2 cores) are slow tests: `python -m pytest -m slow notebooks` runs them."""

import pytest

SLOW = {"02_fig6_fig7_and_the_paper.ipynb", "03_posterior_fit.ipynb"}


@pytest.hookimpl(tryfirst=True)  # before the -m selection deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW:
            item.add_marker(pytest.mark.slow)
