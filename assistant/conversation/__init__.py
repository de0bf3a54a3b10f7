"""One conversation turn: store the message, ask the dialogue engine, answer from templates."""
