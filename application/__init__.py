"""Use cases of Rapport and the ports (interfaces) they need from the outside world."""
