"""The ingest server: the OpenReward rollout API served on loopback, recording into a store (``openreward-nb serve``).

Nothing heavy is imported here: Starlette and uvicorn load when the server starts.
"""
