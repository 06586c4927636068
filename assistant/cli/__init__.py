"""The command line: `avtale ask`, `ansvar`, `frister`, `show`, `ingest`, `index`, `doctor`,
`history`. Parses arguments (`main.py`), calls `assistant.service` and the stages, and prints
text or JSON; errors become one Norwegian line and an exit code.
"""
