"""The values ketcost works with: money and counts, plans, price sheets and results."""
