"""Proactive messages: what is due (rules), and sending each once, within consent, quiet hours
and the caps."""
