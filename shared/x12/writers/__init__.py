"""Writers: models in, X12 text out. Each returns one interchange as a string."""
