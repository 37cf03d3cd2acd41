"""The stored forms of the commonest raw payloads, numbered: a row holds ``[n]`` for form ``n``.

Each is the ``[skeleton, refs]`` text :func:`.raw_codec.encode` writes for a payload whose
strings are all held by its row's columns. Stores keep these numbers: append, never change.
"""

from __future__ import annotations

SHAPES: dict[int, str] = {
    1: '[{"provider":"openai_chat","item":{"role":"user","content":null}},[["content","item","content"]]]',
    2: '[{"provider":"openai_chat","item":{"role":"system","content":null}},[["content","item","content"]]]',
    3: '[{"provider":"openai_chat","item":{"role":"developer","content":null}},[["content","item","content"]]]',
    4: '[{"provider":"openai_chat","item":{"role":"assistant","content":null}},[["content","item","content"]]]',
    5: '[{"provider":"openai_chat","item":{"role":"tool","tool_call_id":null,"content":null}},[["call_id","item","tool_call_id"],["content","item","content"]]]',
    6: '[{"provider":"openai_chat","item":{"role":"tool","content":null,"tool_call_id":null}},[["content","item","content"],["call_id","item","tool_call_id"]]]',
    7: '[{"provider":"openai_chat","role":"assistant","item":{"id":null,"type":"function","function":{"name":null,"arguments":null}},"message":{"role":"assistant","content":null}},[["call_id","item","id"],["name","item","function","name"],["content","item","function","arguments"]]]',
    8: '[{"provider":"openai_chat","role":"assistant","item":{"id":null,"type":"function","function":{"name":null,"arguments":null}}},[["call_id","item","id"],["name","item","function","name"],["content","item","function","arguments"]]]',
    9: '[{"provider":"openai_chat","role":"assistant","item":{"id":null,"type":"function","function":{"name":null,"arguments":null}},"message":{"role":"assistant"}},[["call_id","item","id"],["name","item","function","name"],["content","item","function","arguments"]]]',
    10: '[{"provider":"openai_chat","role":"assistant","item":{"id":null,"type":"function","function":{"name":null,"arguments":null}},"message":{"role":"assistant","content":""}},[["call_id","item","id"],["name","item","function","name"],["content","item","function","arguments"]]]',
    11: '[{"provider":"anthropic","item":{"role":"user","content":null}},[["content","item","content"]]]',
    12: '[{"provider":"anthropic","item":{"role":"assistant","content":null}},[["content","item","content"]]]',
    13: '[{"provider":"anthropic","role":"assistant","item":{"type":"text","text":null}},[["content","item","text"]]]',
    14: '[{"provider":"anthropic","role":"user","item":{"type":"text","text":null}},[["content","item","text"]]]',
    15: '[{"provider":"anthropic","role":"user","item":{"type":"tool_result","tool_use_id":null,"content":null}},[["call_id","item","tool_use_id"],["content","item","content"]]]',
    16: '[{"provider":"gemini","role":"user","item":{"text":null}},[["content","item","text"]]]',
    17: '[{"provider":"gemini","role":"model","item":{"text":null}},[["content","item","text"]]]',
    18: '[{"provider":"openai_responses","item":{"role":"user","content":null}},[["content","item","content"]]]',
    19: '[{"provider":"openai_responses","item":{"role":"assistant","content":null}},[["content","item","content"]]]',
    20: '[{"provider":"openai_responses","item":{"role":"system","content":null}},[["content","item","content"]]]',
    21: '[{"provider":"openai_responses","item":{"role":"developer","content":null}},[["content","item","content"]]]',
    22: '[{"provider":"openai_responses","item":{"type":"function_call_output","call_id":null,"output":null}},[["call_id","item","call_id"],["content","item","output"]]]',
    23: '[{"provider":"openai_responses","item":{"type":"function_call","call_id":null,"name":null,"arguments":null}},[["call_id","item","call_id"],["name","item","name"],["content","item","arguments"]]]',
    24: '[{"provider":"anthropic","item":{"system":null}},[["content","item","system"]]]',
    25: '[{"provider":"openai_responses","item":{"instructions":null}},[["content","item","instructions"]]]',
}
