"""One-time codes: the engine, its limits and what the waiting page shows."""
