import sys

from assistant.evaluation.run import main

sys.exit(main())
