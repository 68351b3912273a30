//! `/status`: the public status page, from the same figures as `GET /api/public/status`.

use askama::Template;

use super::{Page, policy};
use crate::status::Status;

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafb}\
main{max-width:48rem;margin:2rem auto;padding:0 1rem}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}\
.scroll{overflow-x:auto;background:#fff;border:1px solid #d0d0d8;border-radius:.4rem}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e4e4ea;vertical-align:top}\
th{background:#f0f0f4}td{overflow-wrap:anywhere}\
.badge{display:inline-block;padding:0 .45rem;border-radius:.8rem;font-size:.9rem;border:1px solid}\
.up,.operational{color:#145a2c;background:#e5f4ea}.down{color:#8c1d18;background:#fbe9e7}\
.degraded,.unknown,.not_configured{color:#6b4a00;background:#fff3d6}";

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage<'a> {
    status: &'a Status,
    style: &'static str,
}

/// A share in percent, or a dash when nothing was measured.
fn share(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v} %"))
}

impl StatusPage<'_> {
    fn share(&self, value: &Option<f64>) -> String {
        share(*value)
    }
}

pub fn page(status: &Status) -> Page {
    let page = StatusPage {
        status,
        style: STYLE,
    };
    Page {
        html: page.render().unwrap_or_default(),
        csp: policy("", STYLE),
    }
}
