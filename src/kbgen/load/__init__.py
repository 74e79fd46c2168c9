"""Loading a knowledge base: its files into documents (sources), the
documents into the model (build: identities, pages, URLs, the entities
inside them), and files kept between loads of a long-running command (cache).
kbgen.validate runs these, then the rules.
"""
