"""The Ody language server (`odyc lsp`): an outer layer over the compiler.

Invariants:
- One implementation of every rule: the server runs the compiler (`expand_timeline`,
  `scene_names`, `parse`) with the configuration `odyc check` would use for the same file,
  and never checks anything itself.
- Each result belongs to one document version; results for older versions are never
  published (`server.py`).
- Positions are converted only at the server's edge (`positions.py`, `edge.py`): the
  compiler's spans count code points; the client gets UTF-16, UTF-8 or UTF-32 units,
  with LSP's line breaks (`\\n`, `\\r\\n`, `\\r`).
- pygls and lsprotocol are an optional extra (`pip install 'odyssey-dsl[lsp]'`); nothing
  outside this package imports them, so `odyc check` never loads them.
"""
