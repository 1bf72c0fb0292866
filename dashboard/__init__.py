"""The dashboard read model: one document per encounter, fed by the events, and the KPIs over it."""
