"""avtale: an offline assistant for the UNN–municipality collaboration agreement.

Importing the package is cheap: no model, no torch, no Textual is loaded here.
"""

__version__ = "0.1.0"
