"""Real network peers for tests and benchmarks: a test SMSC speaking SMPP 3.4 and an HTTP SMS gateway.

Each binds to 127.0.0.1 on a free port, runs in a thread of the test process (or its own process),
can be told to accept, refuse, stall or send receipts late, and records what it received.
"""
