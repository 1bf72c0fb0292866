"""Test kit: the real local stack, isolated namespaces, and a Kafka probe that publishes and reads
topics with deadlines (never sleep(n))."""
