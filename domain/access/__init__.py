"""Access: the users who act in Rapport, their roles and their API keys."""
