"""The composition root's own containers: the storage, and one container per module.

Only ``bootstrap`` imports this package; it is where adapters meet the use cases.
"""
