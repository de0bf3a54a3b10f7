"""Talking to the dialogue engine (Rasa) over HTTP."""
