"""Database: models, engine factory and migrations."""
