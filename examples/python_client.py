"""Talk to heycmo from Python with the official MCP SDK over Streamable HTTP.

    pip install mcp
    HEYCMO_KEY=hcmo_live_... python examples/python_client.py [http://127.0.0.1:8080]
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client


async def main(base: str, key: str) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    async with streamablehttp_client(f"{base}/mcp", headers=headers) as (read, write, _):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            for tool in tools.tools:
                print(f"{tool.name:<16} {tool.title or ''}")
            account = await session.call_tool("get_account", {})
            print(json.dumps(account.structuredContent, indent=2))
            events = await session.call_tool("list_events", {"limit": 5})
            for event in events.structuredContent["events"]:
                print(event["timestamp"], event["type"], event["data"].get("tool"))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080", os.environ["HEYCMO_KEY"]))
