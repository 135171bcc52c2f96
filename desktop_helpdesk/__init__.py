"""Desktop Helpdesk: contracts, warranty and SLA clocks for Vietnamese software support desks."""

__version__ = "0.1.0"
