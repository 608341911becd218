"""Reading mail into an intake pre-fill: senders, form-plugin notifications, text bodies. Pure."""
