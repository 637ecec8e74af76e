"""`aigen lint`: taxonomy coverage and rule quality, for generated and hand-written setups.

Pieces: ``loader`` sorts input files, ``build`` makes the ``LintContext``, ``rules/`` holds one module per rule,
``runner`` applies settings and inline suppressions, ``reporters`` print, ``coverage`` draws the matrix.
"""
