"""Each channel's edges: how a client's messages arrive and how we know who sent them."""
