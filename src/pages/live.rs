//! `/live` in a browser: a form for a URL, and the findings drawn as the audit streams them.
//!
//! The page itself knows nothing of the audit: its script opens the same `/live?url=` as an
//! `EventSource` (which asks for `text/event-stream`), so the browser and a machine client read
//! one stream and the page is static but for the URL put back in the form.

use askama::Template;

use super::{Page, policy};

const SCRIPT: &str = include_str!("assets/live.js");
const STYLE: &str = include_str!("assets/live.css");

#[derive(Template)]
#[template(path = "live.html")]
struct Live<'a> {
    url: &'a str,
    script: &'static str,
    style: &'static str,
}

/// The page, with `url` (as given, possibly empty) in its form.
pub fn page(url: &str) -> Page {
    let live = Live {
        url,
        script: SCRIPT,
        style: STYLE,
    };
    Page {
        // Rendering fails only on a formatting error inside askama; the page has no fallible
        // filter, so an empty page is what an impossible failure would show.
        html: live.render().unwrap_or_default(),
        csp: policy(SCRIPT, STYLE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_escaped_into_the_form() {
        let page = page("https://example.com/?q=\"><script>alert(1)</script>");
        assert!(!page.html.contains("<script>alert(1)"), "{}", page.html);
        assert!(
            page.html.contains("&#34;&#62;&#60;script&#62;")
                || page.html.contains("&quot;&gt;&lt;script&gt;"),
            "{}",
            page.html
        );
    }

    #[test]
    fn the_policy_allows_the_inline_script_and_style_and_nothing_else() {
        let page = page("");
        assert!(page.csp.starts_with("default-src 'none'"));
        assert!(page.csp.contains(&super::super::hash_source(SCRIPT)));
        assert!(page.csp.contains(&super::super::hash_source(STYLE)));
        assert!(!page.csp.contains("unsafe-inline"));
        // The script and style are in the page exactly as hashed.
        assert!(page.html.contains(&format!("<script>{SCRIPT}</script>")));
        assert!(page.html.contains(&format!("<style>{STYLE}</style>")));
    }
}
