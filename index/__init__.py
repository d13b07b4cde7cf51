"""The corpus store (SQLite) and, later, embeddings and FAISS indexes."""
