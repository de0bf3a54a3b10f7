"""Our own Rasa pipeline components (run in the Rasa environment, Python 3.10)."""
