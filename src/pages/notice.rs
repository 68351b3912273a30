//! Short pages that say one thing, with at most one button: the thank-you page a capture form
//! lands on, and the unsubscribe pages.

use askama::Template;

use super::{Page, policy};

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a}\
main{max-width:36rem;margin:4rem auto;padding:0 1rem}h1{font-size:1.6rem}\
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1a4fd6;color:#fff;cursor:pointer}\
button:focus{outline:3px solid #f5b400;outline-offset:2px}";

/// A form of one button, posting its hidden `fields` to `action` on this server.
pub struct Button<'a> {
    pub label: &'a str,
    pub action: &'a str,
    pub fields: &'a [(&'a str, &'a str)],
}

#[derive(Template)]
#[template(path = "notice.html")]
struct Notice<'a> {
    title: &'a str,
    message: &'a str,
    button: Option<Button<'a>>,
    style: &'static str,
}

/// The page, every value escaped; with `button`, a form of one button.
pub fn page(title: &str, message: &str, button: Option<Button<'_>>) -> Page {
    let notice = Notice {
        title,
        message,
        button,
        style: STYLE,
    };
    Page {
        // As for /live: the template has no fallible filter.
        html: notice.render().unwrap_or_default(),
        csp: policy("", STYLE),
    }
}

/// The page a lead-capture form lands on: a thank-you, the same whether the address was taken,
/// already known, suppressed or the post was a bot's, so the page tells a visitor nothing
/// about anyone's address. `magnet` names what was offered.
pub fn captured(magnet: Option<&str>) -> Page {
    let message = match magnet {
        Some(magnet) => format!(
            "We have your address and will send you {magnet}. You can unsubscribe from any email we send."
        ),
        None => "We have your address. You can unsubscribe from any email we send.".into(),
    };
    page("Thank you", &message, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_escaped() {
        let page = captured(Some("<script>alert(1)</script>"));
        assert!(!page.html.contains("<script>alert(1)"), "{}", page.html);
        assert!(page.html.contains("Thank you"));
        assert!(page.csp.starts_with("default-src 'none'"));
        let button = Button {
            label: "Unsubscribe",
            action: "/u/a\"b",
            fields: &[("csrf", "x\"y")],
        };
        let form = super::page("Unsubscribe", "<b>x</b>", Some(button));
        assert!(!form.html.contains("<b>x"), "{}", form.html);
        assert!(form.html.contains("method=\"post\""));
        assert!(!form.html.contains("/u/a\"b"));
        assert!(!form.html.contains("x\"y"));
    }
}
