"""Views that look inside the network: evaluation, inside view, activation explorer."""
