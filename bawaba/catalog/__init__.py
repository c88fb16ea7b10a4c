"""Departments, services and their guides, categories and life events, and search over them."""
