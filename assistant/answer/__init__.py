"""Stage 3, the answer: hits in, what the clinician reads out.

Turns a search result into an `Answer` (short answer, cited excerpts, duty table, or "not
covered" and why), the `ansvar` duty tables and the deadline list, and renders them as text.
Imports only from `assistant.search`, `assistant.corpus` and the shared top-level modules.
"""
