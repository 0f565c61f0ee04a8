"""Dies before the handshake, saying why on stderr."""

import sys

sys.stderr.write("boom: cannot initialise the implementation\n")
sys.exit(3)
