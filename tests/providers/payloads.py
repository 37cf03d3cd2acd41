"""Wire-format payloads (as the APIs send them) for what ``tests/fixtures/recorded`` (copied from the workplace's shared fixtures; sources in its SOURCES.md) does not cover.

Responses are served to the real SDK clients (``clients.py``); request-side items are the
plain dicts users send.
"""

from __future__ import annotations

import base64

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
PNG_B64 = base64.b64encode(PNG).decode()
PDF = b"%PDF-1.4 a tiny document"
PDF_B64 = base64.b64encode(PDF).decode()
WAV_B64 = base64.b64encode(b"RIFF....WAVEfmt ").decode()

# --- OpenAI Responses -----------------------------------------------------------------
RESPONSES_BUILTIN_TOOLS = {
    "id": "resp_tools",
    "object": "response",
    "created_at": 1761175240,
    "model": "gpt-5",
    "status": "incomplete",
    "incomplete_details": {"reason": "max_output_tokens"},
    "output": [
        {
            "type": "web_search_call",
            "id": "ws_1",
            "status": "completed",
            "action": {"type": "search", "query": "flag format"},
        },
        {
            "type": "file_search_call",
            "id": "fs_1",
            "status": "completed",
            "queries": ["flag"],
            "results": [{"file_id": "file-1", "filename": "notes.txt", "score": 0.9, "text": "the flag is in /tmp"}],
        },
        {
            "type": "code_interpreter_call",
            "id": "ci_1",
            "status": "completed",
            "container_id": "cntr_1",
            "code": "print(6 * 7)",
            "outputs": [
                {"type": "logs", "logs": "42"},
                {"type": "image", "url": "https://files.example.test/plot.png"},
            ],
        },
        {
            "type": "computer_call",
            "id": "cu_1",
            "call_id": "call_cu",
            "status": "completed",
            "action": {"type": "click", "button": "left", "x": 10, "y": 20},
            "pending_safety_checks": [],
        },
        {
            "type": "mcp_list_tools",
            "id": "ml_1",
            "server_label": "fs",
            "tools": [{"name": "read", "input_schema": {"type": "object"}}],
        },
        {
            "type": "mcp_approval_request",
            "id": "mr_1",
            "server_label": "fs",
            "name": "read",
            "arguments": '{"path":"/etc"}',
        },
        {
            "type": "mcp_call",
            "id": "mc_1",
            "server_label": "fs",
            "name": "read",
            "arguments": '{"path":"/tmp"}',
            "output": "flag{mcp}",
        },
        {
            "type": "mcp_call",
            "id": "mc_2",
            "server_label": "fs",
            "name": "read",
            "arguments": '{"path":"/root"}',
            "error": {"type": "mcp_protocol_error", "code": 13, "message": "permission denied"},
        },
        {
            "type": "custom_tool_call",
            "id": "ct_1",
            "call_id": "call_ct",
            "name": "sql",
            "input": "SELECT flag FROM secrets",
        },
        {
            "type": "image_generation_call",
            "id": "ig_1",
            "status": "completed",
            "result": PNG_B64,
            "output_format": "png",
            "revised_prompt": "a kiwi, cut in half",
        },
        {
            "type": "local_shell_call",
            "id": "ls_1",
            "call_id": "call_ls",
            "status": "completed",
            "action": {"type": "exec", "command": ["ls", "-la"], "env": {}},
        },
        {
            "type": "shell_call",
            "id": "sh_1",
            "call_id": "call_sh",
            "status": "completed",
            "action": {"commands": ["cat flag.txt"]},
        },
        {
            "type": "apply_patch_call",
            "id": "ap_1",
            "call_id": "call_ap",
            "status": "completed",
            "operation": {"type": "update_file", "path": "a.py", "diff": "@@ -1 +1 @@\n-x\n+y"},
        },
        {
            "type": "message",
            "id": "msg_1",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Done.", "annotations": []}],
        },
    ],
    "usage": {
        "input_tokens": 900,
        "input_tokens_details": {"cached_tokens": 100},
        "output_tokens": 300,
        "output_tokens_details": {"reasoning_tokens": 50},
        "total_tokens": 1200,
    },
}

RESPONSES_INPUT_ITEMS = [
    {"role": "developer", "content": "You solve CTF tasks."},
    {
        "role": "user",
        "content": [
            {"type": "input_text", "text": "Read this: "},
            {"type": "input_file", "filename": "task.pdf", "file_data": f"data:application/pdf;base64,{PDF_B64}"},
            {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}},
            {"type": "input_image", "image_url": "https://files.example.test/board.png", "detail": "low"},
        ],
    },
    {"type": "function_call", "call_id": "call_shot", "name": "screenshot", "arguments": "{}"},
    {
        "type": "function_call_output",
        "call_id": "call_shot",
        "output": [
            {"type": "input_text", "text": "captured"},
            {"type": "input_image", "image_url": f"data:image/png;base64,{PNG_B64}"},
        ],
    },
    {
        "type": "computer_call_output",
        "call_id": "call_cu",
        "output": {"type": "computer_screenshot", "image_url": f"data:image/png;base64,{PNG_B64}"},
    },
    {"type": "custom_tool_call_output", "call_id": "call_ct", "output": "flag{sql}"},
    {"type": "local_shell_call_output", "id": "call_ls", "output": "flag.txt\n"},
    {
        "type": "shell_call_output",
        "call_id": "call_sh",
        "output": [{"stdout": "flag{sh}", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}],
    },
    {"type": "apply_patch_call_output", "call_id": "call_ap", "status": "failed", "output": "patch does not apply"},
    {"type": "mcp_approval_response", "approval_request_id": "mr_1", "approve": False, "reason": "not /etc"},
    {"type": "item_reference", "id": "msg_1"},
]

# --- Chat Completions -------------------------------------------------------------------
CHAT_TEXT_AND_TWO_CALLS = {
    "id": "chatcmpl-2",
    "object": "chat.completion",
    "created": 1756419063,
    "model": "gpt-4.1",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "logprobs": None,
            "message": {
                "role": "assistant",
                "content": "I'll list the files, then read the flag.",
                "refusal": None,
                "annotations": [],
                "tool_calls": [
                    {"id": "call_a", "type": "function", "function": {"name": "bash", "arguments": '{"cmd":"ls"}'}},
                    {
                        "id": "call_b",
                        "type": "function",
                        "function": {"name": "read_file", "arguments": '{"path":"flag.txt"}'},
                    },
                ],
            },
        }
    ],
    "usage": {
        "prompt_tokens": 120,
        "completion_tokens": 40,
        "total_tokens": 160,
        "prompt_tokens_details": {"cached_tokens": 64},
        "completion_tokens_details": {"reasoning_tokens": 0},
    },
}

CHAT_REFUSAL = {
    "id": "chatcmpl-3",
    "object": "chat.completion",
    "created": 1756419063,
    "model": "gpt-4o",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "logprobs": None,
            "message": {"role": "assistant", "content": None, "refusal": "I can't help with that."},
        }
    ],
    "usage": {"prompt_tokens": 20, "completion_tokens": 8, "total_tokens": 28},
}

CHAT_MULTIMODAL_USER = {
    "role": "user",
    "content": [
        {"type": "text", "text": "What is in these?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}", "detail": "high"}},
        {"type": "image_url", "image_url": {"url": "https://files.example.test/board.png"}},
        {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}},
        {"type": "file", "file": {"filename": "task.pdf", "file_data": f"data:application/pdf;base64,{PDF_B64}"}},
    ],
}

# --- Anthropic --------------------------------------------------------------------------
ANTHROPIC_SERVER_TOOLS = {
    "id": "msg_server",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "content": [
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "ctf flag format"}},
        {
            "type": "web_search_tool_result",
            "tool_use_id": "srvtoolu_1",
            "content": [
                {
                    "type": "web_search_result",
                    "title": "Flags",
                    "url": "https://example.test/flags",
                    "encrypted_content": "EqgfCioIARgBIiQ3",
                    "page_age": "2 days ago",
                }
            ],
        },
        {"type": "server_tool_use", "id": "srvtoolu_2", "name": "web_search", "input": {"query": "again"}},
        {
            "type": "web_search_tool_result",
            "tool_use_id": "srvtoolu_2",
            "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"},
        },
        {
            "type": "text",
            "text": "Flags look like flag{...}.",
            "citations": [
                {
                    "type": "web_search_result_location",
                    "url": "https://example.test/flags",
                    "title": "Flags",
                    "encrypted_index": "Eo8BCioIAhgB",
                    "cited_text": "flag{...}",
                }
            ],
        },
    ],
    "usage": {
        "input_tokens": 50,
        "output_tokens": 60,
        "cache_read_input_tokens": 200,
        "cache_creation_input_tokens": 30,
        "server_tool_use": {"web_search_requests": 2},
    },
}

ANTHROPIC_DOCUMENTS_USER = {
    "role": "user",
    "content": [
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": PDF_B64},
            "title": "task",
        },
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "The flag is hidden."}},
        {"type": "document", "source": {"type": "url", "url": "https://files.example.test/rules.pdf"}},
        {"type": "image", "source": {"type": "url", "url": "https://files.example.test/board.png"}},
        {
            "type": "search_result",
            "source": "https://example.test/kb",
            "title": "KB",
            "content": [{"type": "text", "text": "Flags start with flag{"}],
        },
        {"type": "text", "text": "Use these."},
    ],
}

# --- Gemini ------------------------------------------------------------------------------
GEMINI_CODE_EXECUTION = {
    "candidates": [
        {
            "index": 0,
            "finishReason": "STOP",
            "content": {
                "role": "model",
                "parts": [
                    {"text": "Let me compute it.", "thoughtSignature": "c2lnLXRleHQ="},
                    {"executableCode": {"language": "PYTHON", "code": "print(1/0)"}},
                    {"codeExecutionResult": {"outcome": "OUTCOME_FAILED", "output": "ZeroDivisionError"}},
                    {"executableCode": {"language": "PYTHON", "code": "print(6*7)"}},
                    {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "42\n"}},
                    {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
                    {"text": "", "thoughtSignature": "c2lnLWVuZA=="},
                ],
            },
        }
    ],
    "modelVersion": "gemini-2.5-flash",
    "responseId": "resp-code",
    "usageMetadata": {
        "promptTokenCount": 100,
        "candidatesTokenCount": 40,
        "thoughtsTokenCount": 10,
        "cachedContentTokenCount": 60,
        "toolUsePromptTokenCount": 5,
        "totalTokenCount": 155,
    },
}

GEMINI_FUNCTION_RESPONSES = {
    "role": "user",
    "parts": [
        {"functionResponse": {"id": "c1", "name": "read", "response": {"result": "flag{gemini}"}}},
        {"functionResponse": {"id": "c2", "name": "read", "response": {"output": {"lines": 3}}}},
        {"functionResponse": {"id": "c3", "name": "read", "response": {"error": "no such file"}}},
        {"functionResponse": {"id": "c4", "name": "stat", "response": {"size": 10, "mode": "0644"}}},
        {
            "functionResponse": {
                "id": "c5",
                "name": "shot",
                "response": {"result": "see image"},
                "parts": [{"inlineData": {"mimeType": "image/png", "data": PNG_B64}}],
            }
        },
        {
            "fileData": {
                "mimeType": "application/pdf",
                "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc",
            }
        },
    ],
}
