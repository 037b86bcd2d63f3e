"""Use cases on behaviour: tracking events, and asking how often customers did something."""
