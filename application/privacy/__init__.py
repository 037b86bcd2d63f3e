"""Privacy: everything held about a customer, exported as JSON, or erased."""
