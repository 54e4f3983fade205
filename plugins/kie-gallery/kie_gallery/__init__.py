"""kie gallery: a local web page showing every generation of the kie journal.

``kie gallery`` serves it on loopback: a grid of tasks (newest first, each video playing
inline beside its prompt, model and cost), a page per task with its payload and the ``kie
generate`` command that reproduces it, and actions that download again, resume or generate
again. See :mod:`kie_gallery.app`.
"""

__version__ = "0.1.0"
