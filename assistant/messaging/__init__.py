"""Messages out of the practice: the outbox and the gateways that deliver it."""
