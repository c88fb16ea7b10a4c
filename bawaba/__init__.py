"""Bawaba: a national e-government portal."""
