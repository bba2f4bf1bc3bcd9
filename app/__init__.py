"""Một Cửa Desk: the front-desk application of commune one-stop centres."""

__version__ = "0.1.0"
