"""Stage 2, search: documents in, ranked passages out.

Builds and opens the index folder (word index, language-model vectors, duty rows, the vector
cache) and answers a question with `Hit`s from a hybrid word and vector search. Imports only
from `assistant.corpus` and the shared top-level modules.
"""
