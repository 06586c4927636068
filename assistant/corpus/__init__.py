"""Stage 1, the corpus: source files in, structured documents out.

Takes the files named in a corpus folder's manifest (text, Markdown, PDF) and gives `Document`s
with their section trees, passages (`Chunk`) and duty rows (`Duty`): load → clean → structure →
chunk, plus ingest (adding a file) and references ("rl 2 punkt 4.1"). Imports nothing above it.
"""
