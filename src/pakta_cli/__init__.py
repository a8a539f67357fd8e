"""pakta: render, sign and verify Indonesian election integrity pacts."""

# The one home of the version: hatchling reads it for the wheel, pakta writes it into every pact.
# A constant, not importlib.metadata, which costs a tenth of a second at every start.
# Bump it whenever a rendering's bytes change: `verify` re-renders a pact only with the version
# that rendered it (a pact says which), so two renderers must never share a number.
__version__ = "0.2.0"
