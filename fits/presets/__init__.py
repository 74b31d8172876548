"""Shipped fit configurations."""
