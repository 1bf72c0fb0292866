"""FHIR R4 feed: an authenticated HTTP endpoint for Bundles and single resources."""
