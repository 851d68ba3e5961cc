"""FastAPI app: JSON APIs, server-rendered pages, static assets. No domain logic here."""
