"""Clinic privacy notices: load → validate → render → version → build → notify."""

__version__ = "0.1.0"
