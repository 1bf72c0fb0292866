"""The `rcm` command line: local stack, services, demo, status and KPIs."""
