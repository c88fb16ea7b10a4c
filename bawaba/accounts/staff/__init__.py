"""Staff: a separate sign-in with a mandatory second factor, and roles scoped to departments."""
