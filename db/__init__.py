"""The app database: typed models, the session factory and Alembic migrations."""
