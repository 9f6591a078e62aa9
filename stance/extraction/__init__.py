"""From documents to statements: reading text, Markdown and HTML (:mod:`.documents`), finding quote
spans (:mod:`.spans`), naming speakers from spaCy's parse (:mod:`.attribution`, with
:mod:`.attribution_rules` and :mod:`.attribution_resolve`) or the word rules (:mod:`.rules`), and
the statements table (:mod:`.quotes`: :func:`extract_quotes`, :func:`extract_files`)."""
from __future__ import annotations
