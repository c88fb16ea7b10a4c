"""Receivers keeping AccountSession rows in step with sign-in and sign-out (imported by AccountsConfig.ready)."""
