"""The NumPy segment evaluator and clustering: columnar snapshots in memory."""
