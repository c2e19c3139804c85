"""``python -m skseizure.cli``: the ``skseizure`` command."""

import sys

from . import main

sys.exit(main())
