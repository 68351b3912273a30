//! An HTML page read once into the facts the audits and the brand extractor look at.
//!
//! The document is parsed with html5ever (through `scraper`) and walked once, iteratively (a
//! hostile page nested thousands deep does not overflow the stack). Every check downstream is a
//! pure function of [`Page`], which is what makes audits repeatable and fast to test.

use ego_tree::iter::Edge;
use scraper::{Html, Node};
use serde_json::Value;
use url::Url;

/// A heading, in document order.
#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u8,
    pub text: String,
}

/// An `<a>` element.
#[derive(Debug, Clone)]
pub struct Link {
    /// The `href` as written; `None` when the anchor has none.
    pub href: Option<String>,
    /// Resolved against the page (and its `<base>`), when it is a fetchable http(s) URL.
    pub url: Option<Url>,
    pub text: String,
    /// Text the link also has for assistive technology: `aria-label`, `title`, image alts.
    pub label: String,
    pub rel: String,
    /// Inside `<nav>` or `<header>`: site navigation.
    pub in_nav: bool,
    /// Characters of visible text before it: how far down the page it sits.
    pub offset: usize,
    /// Looks like a button (a `btn`/`button`/`cta` class or `role=button`).
    pub button_like: bool,
}

/// An `<img>`.
#[derive(Debug, Clone)]
pub struct Image {
    pub src: String,
    pub alt: Option<String>,
}

/// A `<form>` and its fields a visitor has to fill in.
#[derive(Debug, Clone)]
pub struct Form {
    pub action: Option<String>,
    /// Visible input, select and textarea fields (not hidden, submit or button inputs).
    pub fields: usize,
    pub offset: usize,
}

/// A `<button>` or submit input.
#[derive(Debug, Clone)]
pub struct Button {
    pub text: String,
    pub offset: usize,
}

/// One `<script type="application/ld+json">` block.
#[derive(Debug, Clone)]
pub struct JsonLd {
    pub parsed: Result<Value, String>,
}

/// A resource the page loads (scripts, stylesheets, images, frames, media).
#[derive(Debug, Clone)]
pub struct Subresource {
    pub tag: &'static str,
    pub url: String,
}

/// Everything read off one page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub url: Option<Url>,
    pub bytes: usize,
    pub lang: Option<String>,
    pub titles: Vec<String>,
    /// `<meta name|property=... content=...>`, keys lower-cased.
    pub metas: Vec<(String, String)>,
    /// `<link rel=... href=...>`, rel lower-cased, plus `hreflang` when present.
    pub link_tags: Vec<LinkTag>,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub images: Vec<Image>,
    pub forms: Vec<Form>,
    pub buttons: Vec<Button>,
    pub json_ld: Vec<JsonLd>,
    /// `itemtype` values (microdata).
    pub item_types: Vec<String>,
    pub subresources: Vec<Subresource>,
    /// Contents of `<style>` elements and `style` attributes.
    pub css: String,
    /// Visible text, blocks separated by newlines.
    pub text: String,
    pub lists: usize,
    pub tables: usize,
    /// `datetime` attributes of `<time>` elements.
    pub times: Vec<String>,
    pub blockquotes: usize,
}

/// A `<link>` element in the head.
#[derive(Debug, Clone)]
pub struct LinkTag {
    pub rel: String,
    pub href: String,
    pub hreflang: Option<String>,
}

/// Elements whose content is never shown as text.
const HIDDEN: &[&str] = &[
    "script", "style", "noscript", "template", "head", "svg", "iframe",
];
/// Elements that break text into separate blocks.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "blockquote",
    "main",
    "aside",
    "dt",
    "dd",
    "figcaption",
    "button",
    "form",
    "label",
    "option",
    "pre",
    "ul",
    "ol",
    "table",
];

impl Page {
    pub fn parse(url: Option<&Url>, html: &str) -> Page {
        let document = Html::parse_document(within_depth(html, MAX_DEPTH));
        let mut page = Page {
            url: url.cloned(),
            bytes: html.len(),
            ..Page::default()
        };
        let mut base = url.cloned();
        // Open elements whose text is being collected: (element name, index into the list).
        let mut collecting: Vec<(&str, usize, String)> = Vec::new();
        let mut hidden_depth = 0usize;
        let mut nav_depth = 0usize;
        for edge in document.tree.root().traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Text(text) => {
                        for (_, _, buffer) in collecting.iter_mut() {
                            buffer.push_str(text);
                        }
                        if hidden_depth == 0 {
                            push_text(&mut page.text, text);
                        }
                    }
                    Node::Element(el) => {
                        let name = el.name();
                        if HIDDEN.contains(&name) {
                            hidden_depth += 1;
                        }
                        if matches!(name, "nav" | "header") {
                            nav_depth += 1;
                        }
                        if BLOCKS.contains(&name) {
                            block_break(&mut page.text);
                        }
                        if let Some(style) = el.attr("style") {
                            page.css.push_str(style);
                            page.css.push('\n');
                        }
                        if let Some(t) = el.attr("itemtype") {
                            page.item_types.push(t.trim().to_owned());
                        }
                        let offset = page.text.len();
                        match name {
                            "html" => page.lang = el.attr("lang").map(|l| l.trim().to_owned()),
                            "base" => {
                                if let Some(href) = el.attr("href") {
                                    base = resolve(base.as_ref(), href).or(base);
                                }
                            }
                            "title" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "button"
                            | "style" => collecting.push((name, 0, String::new())),
                            "script" => {
                                if el.attr("type").is_some_and(|t| {
                                    t.trim().eq_ignore_ascii_case("application/ld+json")
                                }) {
                                    collecting.push(("ld+json", 0, String::new()));
                                }
                                if let Some(src) = el.attr("src") {
                                    page.subresources.push(Subresource {
                                        tag: "script",
                                        url: src.to_owned(),
                                    });
                                }
                            }
                            "meta" => {
                                let key = el
                                    .attr("name")
                                    .or_else(|| el.attr("property"))
                                    .or_else(|| el.attr("http-equiv"));
                                if let (Some(key), Some(content)) = (key, el.attr("content")) {
                                    page.metas.push((
                                        key.trim().to_ascii_lowercase(),
                                        content.trim().to_owned(),
                                    ));
                                }
                            }
                            "link" => {
                                if let (Some(rel), Some(href)) = (el.attr("rel"), el.attr("href")) {
                                    let rel = rel.trim().to_ascii_lowercase();
                                    if rel.split_whitespace().any(|r| r == "stylesheet") {
                                        page.subresources.push(Subresource {
                                            tag: "link",
                                            url: href.to_owned(),
                                        });
                                    }
                                    page.link_tags.push(LinkTag {
                                        rel,
                                        href: href.trim().to_owned(),
                                        hreflang: el.attr("hreflang").map(|h| h.trim().to_owned()),
                                    });
                                }
                            }
                            "a" => {
                                let href = el.attr("href").map(|h| h.trim().to_owned());
                                let url = href.as_deref().and_then(|h| resolve(base.as_ref(), h));
                                let class = el.attr("class").unwrap_or("").to_ascii_lowercase();
                                page.links.push(Link {
                                    url,
                                    href,
                                    text: String::new(),
                                    label: el
                                        .attr("aria-label")
                                        .or_else(|| el.attr("title"))
                                        .unwrap_or("")
                                        .trim()
                                        .to_owned(),
                                    rel: el.attr("rel").unwrap_or("").to_ascii_lowercase(),
                                    in_nav: nav_depth > 0,
                                    offset,
                                    button_like: el.attr("role") == Some("button")
                                        || ["btn", "button", "cta"]
                                            .iter()
                                            .any(|c| class.contains(c)),
                                });
                                collecting.push(("a", page.links.len() - 1, String::new()));
                            }
                            "img" => {
                                let alt = el.attr("alt").map(|a| a.trim().to_owned());
                                // An image inside a link names it for screen readers.
                                if let (Some(alt), Some(i)) = (
                                    &alt,
                                    collecting.iter().rev().find(|c| c.0 == "a").map(|c| c.1),
                                ) {
                                    let label = &mut page.links[i].label;
                                    if label.is_empty() {
                                        label.push_str(alt);
                                    }
                                }
                                if let Some(src) = el.attr("src") {
                                    page.subresources.push(Subresource {
                                        tag: "img",
                                        url: src.to_owned(),
                                    });
                                }
                                page.images.push(Image {
                                    src: el.attr("src").unwrap_or("").to_owned(),
                                    alt,
                                });
                            }
                            "iframe" | "video" | "audio" | "source" | "embed" => {
                                if let Some(src) = el.attr("src") {
                                    page.subresources.push(Subresource {
                                        tag: "media",
                                        url: src.to_owned(),
                                    });
                                }
                            }
                            "form" => page.forms.push(Form {
                                action: el.attr("action").map(str::to_owned),
                                fields: 0,
                                offset,
                            }),
                            "input" | "select" | "textarea" => {
                                let kind = el.attr("type").unwrap_or("text").to_ascii_lowercase();
                                if name == "input"
                                    && matches!(kind.as_str(), "submit" | "button" | "image")
                                {
                                    page.buttons.push(Button {
                                        text: el
                                            .attr("value")
                                            .unwrap_or("Submit")
                                            .trim()
                                            .to_owned(),
                                        offset,
                                    });
                                } else if !matches!(kind.as_str(), "hidden" | "reset")
                                    && let Some(form) = page.forms.last_mut()
                                {
                                    form.fields += 1;
                                }
                            }
                            "ul" | "ol" => page.lists += 1,
                            "table" => page.tables += 1,
                            "blockquote" => page.blockquotes += 1,
                            "time" => {
                                if let Some(t) = el.attr("datetime") {
                                    page.times.push(t.trim().to_owned());
                                }
                            }
                            _ => {}
                        }
                    }
                    _ => {}
                },
                Edge::Close(node) => {
                    let Node::Element(el) = node.value() else {
                        continue;
                    };
                    let name = el.name();
                    if HIDDEN.contains(&name) {
                        hidden_depth -= 1;
                    }
                    if matches!(name, "nav" | "header") {
                        nav_depth -= 1;
                    }
                    if BLOCKS.contains(&name) {
                        block_break(&mut page.text);
                    }
                    let key = if name == "script" { "ld+json" } else { name };
                    let Some(position) = collecting.iter().rposition(|c| c.0 == key) else {
                        continue;
                    };
                    let (_, index, raw) = collecting.remove(position);
                    let text = squash(&raw);
                    match name {
                        "title" => page.titles.push(text),
                        "button" => page.buttons.push(Button {
                            text,
                            offset: page.text.len(),
                        }),
                        "a" => page.links[index].text = text,
                        "style" => {
                            page.css.push_str(&raw);
                            page.css.push('\n');
                        }
                        "script" => page.json_ld.push(JsonLd {
                            parsed: serde_json::from_str(&raw).map_err(|e| e.to_string()),
                        }),
                        _ => page.headings.push(Heading {
                            level: name.as_bytes()[1] - b'0',
                            text,
                        }),
                    }
                }
            }
        }
        page.text = page.text.trim().to_owned();
        page
    }

    /// The first value of a meta tag (`description`, `og:title`, `twitter:card`, ...).
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metas
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Every value of a meta tag.
    pub fn metas(&self, key: &str) -> impl Iterator<Item = &str> {
        self.metas
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn link_tags(&self, rel: &str) -> impl Iterator<Item = &LinkTag> {
        self.link_tags
            .iter()
            .filter(move |l| l.rel.split_whitespace().any(|r| r == rel))
    }

    /// A URL written on the page, resolved against it.
    pub fn resolve(&self, href: &str) -> Option<Url> {
        resolve(self.url.as_ref(), href)
    }

    /// Whether a URL is on this page's site (same host, ignoring a leading `www.`).
    pub fn same_site(&self, url: &Url) -> bool {
        let bare = |u: &Url| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
        };
        self.url
            .as_ref()
            .is_some_and(|page| bare(page) == bare(url))
    }

    /// Every JSON-LD node that parsed, flattening arrays and `@graph`.
    pub fn json_ld_nodes(&self) -> Vec<&Value> {
        fn walk<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
            match value {
                Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
                Value::Object(map) => {
                    out.push(value);
                    if let Some(graph) = map.get("@graph") {
                        walk(graph, out);
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        for block in &self.json_ld {
            if let Ok(value) = &block.parsed {
                walk(value, &mut out);
            }
        }
        out
    }

    /// The `@type`s of the page's JSON-LD nodes.
    pub fn json_ld_types(&self) -> Vec<String> {
        let mut types: Vec<String> = self
            .json_ld_nodes()
            .into_iter()
            .flat_map(|node| match node.get("@type") {
                Some(Value::String(t)) => vec![t.clone()],
                Some(Value::Array(ts)) => ts
                    .iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        types.sort();
        types.dedup();
        types
    }

    /// The first block of visible text after `heading` with at least `words` words: the line
    /// that supports a headline.
    pub fn line_after(&self, heading: &str, words: usize) -> Option<&str> {
        let after = self
            .text
            .split_once(heading)
            .map(|(_, rest)| rest)
            .unwrap_or("");
        after
            .lines()
            .map(str::trim)
            .find(|l| l.split_whitespace().count() >= words)
    }

    /// Number of words of visible text.
    pub fn word_count(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

/// Nesting deeper than this is cut off before parsing: html5ever's tree builder checks the
/// stack of open elements for every tag, so depth costs quadratic time (a 1 MB page of unclosed
/// `<div>`s would take minutes). Browsers cap the DOM depth too (Chromium at 512).
pub const MAX_DEPTH: usize = 1024;

/// Elements that never nest: void elements and those whose end tag may be left out.
const FLAT: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "html", "head", "body",
];

/// The document up to the first tag that would open nesting deeper than `max`, by a quick scan
/// of start and end tags (comments, scripts and styles skipped). It runs in time linear in the
/// page, whatever the page holds: every search starts where the previous one stopped or at a
/// later place, and the end of a tag is looked up once for a run of tags that share it, since
/// `/live` runs this on any page an anonymous visitor names.
fn within_depth(html: &str, max: usize) -> &str {
    let bytes = html.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    // The next `>` at or after the tag being read; `None` once there is none left.
    let mut next_gt: Option<usize> = Some(0);
    while let Some(found) = memchr(b'<', &bytes[i..]) {
        let at = i + found;
        let rest = &bytes[at + 1..];
        if rest.starts_with(b"!--") {
            i = find(bytes, at + 4, b"-->").map_or(bytes.len(), |end| end + 3);
            continue;
        }
        let closing = rest.starts_with(b"/");
        let name_start = at + 1 + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let name = &bytes[name_start..name_start + name_len];
        i = name_start + name_len;
        if name.is_empty()
            || FLAT
                .iter()
                .any(|flat| name.eq_ignore_ascii_case(flat.as_bytes()))
        {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
            continue;
        }
        if next_gt.is_some_and(|gt| gt < i) {
            next_gt = memchr(b'>', &bytes[i..]).map(|gt| i + gt);
        }
        let end = next_gt.unwrap_or(bytes.len());
        if end > i && bytes[end - 1] == b'/' {
            continue;
        }
        if let Some(raw) = [&b"script"[..], b"style"]
            .into_iter()
            .find(|raw| name.eq_ignore_ascii_case(raw))
        {
            // Their content is text, not tags: skip to their end tag, in any case.
            i = find_end_tag(bytes, i, raw).unwrap_or(bytes.len());
            continue;
        }
        depth += 1;
        if depth > max {
            return &html[..at];
        }
    }
    html
}

fn memchr(byte: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == byte)
}

/// Where `needle` next starts in `bytes` from `from` on.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| from + at)
}

/// Where the end tag `</name` next starts from `from` on, the name in any case.
fn find_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(found) = find(bytes, i, b"</") {
        let tag = &bytes[found + 2..];
        if tag.len() >= name.len() && tag[..name.len()].eq_ignore_ascii_case(name) {
            return Some(found);
        }
        i = found + 2;
    }
    None
}

fn resolve(base: Option<&Url>, href: &str) -> Option<Url> {
    let href = href.trim();
    let url = match base {
        Some(base) => base.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// Appends text with runs of whitespace collapsed to one space.
fn push_text(out: &mut String, text: &str) {
    for (i, word) in text.split_whitespace().enumerate() {
        let starts_with_space = text.starts_with(char::is_whitespace);
        if (i > 0 || starts_with_space) && !out.is_empty() && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
        out.push_str(word);
    }
    if text.ends_with(char::is_whitespace) && !out.is_empty() && !out.ends_with([' ', '\n']) {
        out.push(' ');
    }
}

fn block_break(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// Whitespace collapsed and trimmed.
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_facts_of_a_page() {
        let url = Url::parse("https://shop.example/products/").unwrap();
        let page = Page::parse(
            Some(&url),
            r#"<!doctype html><html lang="en"><head>
            <title> Acme  Boots </title>
            <meta name="description" content="Boots for walking.">
            <meta property="og:site_name" content="Acme">
            <link rel="canonical" href="/products/">
            <link rel="alternate" hreflang="de" href="https://shop.example/de/">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"Organization","name":"Acme"},{"@type":["Product","Thing"]}]}</script>
            <script type="application/ld+json">{broken</script>
            <style>body{color:#112233}</style>
            </head><body>
            <header><nav><a href="/pricing">Pricing</a></nav></header>
            <h1>Walk  further</h1><p>Our boots last. <b>Really</b> long.</p>
            <a class="btn-primary" href="/buy"><img src="buy.png" alt="Buy now"></a>
            <form action="/signup"><input type="hidden" name="t"><input name="email"><select name="size"></select><button>Sign up</button></form>
            <script>var hidden = "not text";</script>
            <ul><li>One</li></ul><time datetime="2026-01-02">Jan</time>
            </body></html>"#,
        );
        assert_eq!(page.lang.as_deref(), Some("en"));
        assert_eq!(page.titles, vec!["Acme Boots"]);
        assert_eq!(page.meta("description"), Some("Boots for walking."));
        assert_eq!(page.meta("og:site_name"), Some("Acme"));
        assert_eq!(page.headings[0].text, "Walk further");
        assert_eq!(page.headings[0].level, 1);
        assert_eq!(page.links.len(), 2);
        assert!(page.links[0].in_nav);
        assert_eq!(
            page.links[0].url.as_ref().unwrap().as_str(),
            "https://shop.example/pricing"
        );
        assert_eq!(page.links[1].label, "Buy now");
        assert!(page.links[1].button_like);
        assert_eq!(page.forms[0].fields, 2);
        assert_eq!(page.buttons[0].text, "Sign up");
        assert_eq!(page.json_ld.len(), 2);
        assert!(page.json_ld[1].parsed.is_err());
        assert_eq!(
            page.json_ld_types(),
            vec!["Organization", "Product", "Thing"]
        );
        assert!(page.css.contains("#112233"));
        assert!(page.text.contains("Our boots last. Really long."));
        assert!(!page.text.contains("not text"));
        assert_eq!(page.lists, 1);
        assert_eq!(page.times, vec!["2026-01-02"]);
        assert_eq!(
            page.link_tags("alternate")
                .next()
                .unwrap()
                .hreflang
                .as_deref(),
            Some("de")
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(50_000) + "deep" + &"</div>".repeat(50_000);
        let page = Page::parse(None, &html);
        // Read up to the depth limit; what lies deeper is not.
        assert!(!page.text.contains("deep"));
        let shallow = "<div>".repeat(MAX_DEPTH - 10) + "deep";
        assert!(Page::parse(None, &shallow).text.contains("deep"));
        let lists =
            "<ul>".to_owned() + &"<li>item".repeat(5_000) + "<script>if (a<b) {}</script><p>end";
        assert!(Page::parse(None, &lists).text.ends_with("end"));
    }

    #[test]
    fn the_depth_scan_skips_scripts_and_styles_in_any_case() {
        let nested = "<div>".repeat(4) + "<SCRIPT>a<b<c<d</Script><StYlE>x<y</STYLE><p>end";
        assert_eq!(within_depth(&nested, 4), nested);
        assert_eq!(within_depth(&nested, 3), "<div>".repeat(3));
        // An unclosed script hides the rest of the page from the scan, as from a browser.
        let open = "<script>".to_owned() + &"<div>".repeat(10);
        assert_eq!(within_depth(&open, 2), open);
        // Comments too, and a self-closed element opens nothing.
        let other = "<!-- <div><div> --><div/><div><div>";
        assert_eq!(within_depth(other, 2), other);
        assert_eq!(within_depth(other, 1), "<!-- <div><div> --><div/><div>");
    }

    /// These pages once cost time in the square of their size (the scan lower-cased the rest of
    /// the page at every `<style>`, and looked for the end of every tag afresh); at the 5 MiB
    /// fetch cap they stalled a core for hours. They are now read in one pass.
    #[test]
    fn pathological_pages_are_scanned_in_one_pass() {
        let cap = 5 * 1024 * 1024;
        let styles = "<style></style>".repeat(cap / 15);
        assert_eq!(within_depth(&styles, MAX_DEPTH), styles);
        let unended = "<a".repeat(cap / 2);
        assert_eq!(within_depth(&unended, usize::MAX), unended);
        let unclosed_scripts = "<script>".repeat(cap / 8);
        assert_eq!(within_depth(&unclosed_scripts, 1), unclosed_scripts);
        let comments = "<!--".repeat(cap / 4);
        assert_eq!(within_depth(&comments, 1), comments);
    }
}
