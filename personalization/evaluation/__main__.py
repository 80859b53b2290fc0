import sys

from personalization.evaluation.cli import main

sys.exit(main())
