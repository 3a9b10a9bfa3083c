"""Documents for clients: the counselor's quote and the Good Faith Estimate."""
