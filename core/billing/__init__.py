"""The billing adapter contract and the demo back-end."""
