"""Use cases of campaigns and journeys, and the ports they need."""
