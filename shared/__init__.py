"""Contracts and common machinery shared by every service: events, topics, Kafka/Mongo wiring."""
