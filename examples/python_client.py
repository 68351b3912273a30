"""Talk to heycmo from Python with the official MCP SDK (2.x) over Streamable HTTP.

    pip install -r examples/requirements.txt
    HEYCMO_KEY=hcmo_live_... python examples/python_client.py [http://127.0.0.1:8080]

Lists the tools, reads the account and the latest events; exits non-zero if a call fails.
`tests/examples.rs` runs it against a real server.
"""

import asyncio
import json
import os
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


async def main(base: str, key: str) -> None:
    # Headers (the key) go on the HTTP client the transport uses; a long read timeout, since a
    # server may hold a response stream open.
    http = httpx2.AsyncClient(
        headers={"Authorization": f"Bearer {key}"},
        timeout=httpx2.Timeout(30.0, read=300.0),
    )
    async with http, Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client:
        tools = await client.list_tools()
        for tool in tools.tools:
            print(f"{tool.name:<24} {tool.title or ''}")
        account = await client.call_tool("get_account", {})
        if account.is_error:
            raise SystemExit(f"get_account failed: {account.content}")
        print(json.dumps(account.structured_content, indent=2))
        events = await client.call_tool("list_events", {"limit": 5})
        if events.is_error:
            raise SystemExit(f"list_events failed: {events.content}")
        for event in events.structured_content["events"]:
            print(event["timestamp"], event["type"], event["data"].get("tool"))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080", os.environ["HEYCMO_KEY"]))
