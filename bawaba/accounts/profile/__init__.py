"""The citizen's optional profile, with consent to count it in participation statistics."""
