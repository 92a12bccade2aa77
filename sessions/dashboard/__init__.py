"""The reviewers' dashboard (CONTRACT §4): staff users only, under /dashboard/."""
