"""Use cases on activities: log, edit and delete notes, calls, emails and meetings."""
