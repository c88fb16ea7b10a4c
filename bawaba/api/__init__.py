"""The public JSON API (v1). Thin: parses input, calls app selectors and services."""
