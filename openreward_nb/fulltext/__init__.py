"""Search across every rollout: the store's full-text index, and the searches that read it.

``openreward_nb.search(...)`` (:mod:`.frame`) gives a DataFrame, ``openreward_nb.search_view(...)``
a view, ``openreward-nb search`` a listing. The index (:mod:`.index`) lives in the store and is
kept current by the writer in its idle time; a search reads it up to where it has reached and
scans the rest (:mod:`.engine`). Nothing heavy is imported here: the writer loads :mod:`.index`.
"""
