import sys

from odyssey_dsl.cli.main import main

sys.exit(main())
