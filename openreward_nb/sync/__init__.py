"""Upload to the OpenReward API, read runs back from it, and serve its rollout API locally.

Nothing heavy is imported here: httpx2, Starlette and uvicorn load when first used.
"""
