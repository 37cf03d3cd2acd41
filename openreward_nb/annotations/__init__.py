"""Annotations: labels, notes and scores people give to rollouts and their steps, kept in the store beside them.

``rollout.annotate("reward hacking", note=..., score=..., event=...)`` on a live rollout or a
stored record; ``client.annotations`` lists, edits and removes them and holds each run's label
set (the labels the run view offers on number keys). They live in tables of their own, so
``openreward-nb copy --no-annotations`` shares a store without them; uploads never carry them.
"""

from .api import AnnotationsAPI
from .model import AUTHOR_ENV, DEFAULT_LABELS, KEEP, Annotation, default_author

__all__ = ["AUTHOR_ENV", "DEFAULT_LABELS", "KEEP", "Annotation", "AnnotationsAPI", "default_author"]
