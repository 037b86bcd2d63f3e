"""Segments: rules over customers, RFM scores and classes."""
