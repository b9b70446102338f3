import sys

from opsgen.cli import main

sys.exit(main())
