"""Propos."""
