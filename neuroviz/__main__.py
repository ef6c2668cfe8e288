"""``python -m neuroviz``: the same as the ``neuroviz`` command."""

import sys

from neuroviz.app import main

sys.exit(main())
