"""``python -m dance_client``: the ``dance`` command without installing its console script."""
import sys

from dance_client.cli import main

sys.exit(main())
