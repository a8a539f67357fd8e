"""pakta: render, sign and verify Indonesian election integrity pacts."""

# The one home of the version: hatchling reads it for the wheel, pakta writes it into every pact.
# A constant, not importlib.metadata, which costs a tenth of a second at every start.
__version__ = "0.1.0"
