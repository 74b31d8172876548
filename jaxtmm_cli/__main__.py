"""``python -m jaxtmm_cli``: the ``jaxtmm`` command."""

import sys

from jaxtmm_cli import main

sys.exit(main())
