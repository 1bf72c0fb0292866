"""Typed models of what X12 transaction sets carry: the codec's side of the event contracts.

They are frozen dataclasses rather than pydantic models because a reader builds tens of thousands
of them per file; `to_event()` methods convert to the pydantic contracts in shared/events.py.
"""
