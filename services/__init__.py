"""The five revenue-cycle services. A service never imports another; they share shared/ and topics."""
