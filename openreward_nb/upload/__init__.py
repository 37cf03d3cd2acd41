"""Upload to the OpenReward API (``client.sync()``, ``upload=True``) and read runs back from it (``client.remote``).

Nothing heavy is imported here: httpx2 loads when an upload first runs.
"""
