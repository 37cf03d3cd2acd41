"""Views of recorded rollouts: the timeline widget, run tables, dashboard, compare, static HTML and text.

Nothing here is imported by ``import openreward_nb``; ipywidgets, anywidget and
markdown-it load when a view is first built.
"""
