"""Announcing: feeds, email and webhook notices of change, and the fragments clinics embed in their own websites."""
