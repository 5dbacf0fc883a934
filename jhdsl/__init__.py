"""jhdsl: a policy language for 考核办法 (assessment schemes), and its toolchain.

The stages, one module each: ``parser`` (text → AST of ``ast``), ``checker`` (mistakes),
``interpreter`` (the reference meaning, with explanations), ``facts`` (the units' data),
``report`` (tables, JSON, CSV), ``cli`` (the ``jhdsl`` command); ``pipeline`` runs them.
"""

__version__ = "0.1.0"
