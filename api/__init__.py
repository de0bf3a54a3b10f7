"""FastAPI front door: thin routers over the `assistant` package."""
