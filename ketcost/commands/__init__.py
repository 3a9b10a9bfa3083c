"""The commands, by area; `ketcost.cli` builds the app from them."""
