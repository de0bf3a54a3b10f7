"""Each channel's edges: how a client's messages arrive (the SMS inbox and its workers, web chat
tokens) and how we know who sent them. Above `conversation`, which answers one turn."""
