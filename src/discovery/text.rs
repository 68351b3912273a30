//! The human- and LLM-readable documents: llms.txt, index.md, the sitemap and the home page.

use std::fmt::Write as _;

use crate::error::Error;
use crate::registry::Registry;

fn tool_lines(registry: &Registry, out: &mut String) {
    for spec in registry.tools() {
        let first_sentence = spec
            .entry
            .description
            .split(". ")
            .next()
            .unwrap_or_default()
            .trim_end_matches('.');
        let _ = writeln!(
            out,
            "- `{}` — {}: {}.",
            spec.entry.name, spec.entry.title, first_sentence
        );
    }
}

/// `/llms.txt`: what an LLM needs to start using the service.
pub fn llms_txt(registry: &Registry, base: &str) -> String {
    let mut out = format!(
        "# HeyCMO\n\n> {}\n\nAuthenticate with `Authorization: Bearer hcmo_live_…` (or `?token=`).\n\n## Interfaces\n\n\
- [OpenAPI]({base}/openapi.json)\n- [MCP server card]({base}/.well-known/mcp/server-card.json)\n\
- MCP Streamable HTTP: {base}/mcp\n- MCP legacy SSE: {base}/mcp/sse\n- [Documentation]({base}/index.md)\n\n## Tools\n\n",
        env!("CARGO_PKG_DESCRIPTION")
    );
    tool_lines(registry, &mut out);
    out
}

/// `/index.md`: the API in Markdown.
pub fn index_md(registry: &Registry, base: &str) -> String {
    let mut out = format!(
        "# HeyCMO API\n\n{}\n\n## Authentication\n\nBearer API keys, `hcmo_live_` followed by 64 hex characters:\n\n\
```\ncurl {base}/api/tools/get_account -X POST -H 'Authorization: Bearer hcmo_live_…'\n```\n\n\
MCP clients connect to `{base}/mcp` (Streamable HTTP) or `{base}/mcp/sse?token=…` (legacy SSE).\n\n## Tools\n\n\
Each tool is `POST {base}/api/tools/<name>` with its input as the JSON body.\n\n",
        env!("CARGO_PKG_DESCRIPTION")
    );
    for spec in registry.tools() {
        let _ = writeln!(
            out,
            "### `{}` — {}\n\n{}\n",
            spec.entry.name, spec.entry.title, spec.entry.description
        );
        if let Some(route) = &spec.entry.route {
            let _ = writeln!(out, "Also served at `{} {}`.\n", route.method, route.path);
        }
    }
    out.push_str("## Errors\n\nEvery 4xx/5xx body is `{\"error\", \"code\", \"requestId\"}`.\n\n");
    out.push_str(&Error::markdown_table());
    out
}

/// `/sitemap.xml`: the public documents.
pub fn sitemap(base: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in [
        "/",
        "/index.md",
        "/llms.txt",
        "/openapi.json",
        "/.well-known/mcp/server-card.json",
        "/.well-known/agent.json",
    ] {
        let _ = writeln!(out, "  <url><loc>{base}{path}</loc></url>");
    }
    out.push_str("</urlset>\n");
    out
}

/// `/`: a small page pointing people and agents at the documents.
pub fn home_html(registry: &Registry) -> String {
    let mut tools = String::new();
    for spec in registry.tools() {
        let _ = write!(
            tools,
            "<li><code>{}</code> — {}</li>",
            spec.entry.name, spec.entry.title
        );
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>HeyCMO</title>\
<link rel=\"alternate\" type=\"text/markdown\" href=\"/index.md\"></head><body><h1>HeyCMO</h1>\
<p>{}</p><p><a href=\"/index.md\">Documentation</a> · <a href=\"/openapi.json\">OpenAPI</a> · \
<a href=\"/.well-known/mcp/server-card.json\">MCP server card</a> · <a href=\"/llms.txt\">llms.txt</a></p>\
<h2>Tools</h2><ul>{tools}</ul></body></html>",
        env!("CARGO_PKG_DESCRIPTION")
    )
}
