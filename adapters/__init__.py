"""Adapters: the outside world's side of Rapport's ports."""
