//! The page a lead-capture form lands on: a thank-you, the same whether the address was taken,
//! already known, suppressed or the post was a bot's, so the page tells a visitor nothing
//! about anyone's address.

use askama::Template;

use super::{Page, policy};

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a}\
main{max-width:36rem;margin:4rem auto;padding:0 1rem}h1{font-size:1.6rem}";

#[derive(Template)]
#[template(path = "captured.html")]
struct Captured<'a> {
    magnet: Option<&'a str>,
    style: &'static str,
}

/// The page; `magnet` names what was offered (escaped).
pub fn page(magnet: Option<&str>) -> Page {
    let captured = Captured {
        magnet,
        style: STYLE,
    };
    Page {
        // As for /live: the template has no fallible filter.
        html: captured.render().unwrap_or_default(),
        csp: policy("", STYLE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_offered_is_escaped() {
        let page = page(Some("<script>alert(1)</script>"));
        assert!(!page.html.contains("<script>alert(1)"), "{}", page.html);
        assert!(page.html.contains("Thank you"));
        assert!(page.csp.starts_with("default-src 'none'"));
    }
}
