"""The sales pipeline: leads in, deals through stages, tasks for reps, and the figures."""
