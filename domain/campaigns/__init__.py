"""Campaigns and journeys: consent, messages over channels, and the rules that send them."""
