"""``python -m bench [--quick] [--json] [--only NAME ...]``."""

import sys

from bench.cli import main

sys.exit(main())
