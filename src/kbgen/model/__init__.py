"""The knowledge base's data and the facts between its entities, below the
kinds that extend it (kbgen.kinds) and above what reads files:

- doc: a source file as loaded (Doc), the loaded sources (Sources)
- entities: Entity, KnowledgeBase (entities by id, by source, codes), AlertEntry
- links: what a link in a source reaches (resolve_link), every link an entity makes
- audience: the view of one audience (for_audience), made once per build

kbgen.load builds the model from files; everything after it reads it.
"""
