"""Messages to and from clients below the turn: the conversation with a sender, the outbox and
the gateways that deliver it, consent (STOP, START, HELP) and staff messages."""
