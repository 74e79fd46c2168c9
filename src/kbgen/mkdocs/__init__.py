"""The site adapter: the only package of kbgen that imports MkDocs.

It hands the core's pages to MkDocs + Material (plugin.py) and runs builds
atomically (build.py). Another renderer can take the same pages instead.
"""
