"""Rules that look across segments: hierarchy, balancing, and situational requirements."""
