//! The sign-in page.

use askama::Template;

use super::{Page, policy};

const STYLE: &str = "*{box-sizing:border-box}body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}\
main{max-width:36rem;margin:3rem auto;padding:0 1rem}h1{font-size:1.6rem}\
label{display:block;margin:.8rem 0 .2rem;font-weight:600}\
input{font:inherit;width:100%;padding:.5rem;border:1px solid #5d5d66;border-radius:.3rem}\
button{font:inherit;margin-top:.8rem;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1a4fd6;color:#fff;cursor:pointer}\
button:focus,input:focus{outline:3px solid #f5b400;outline-offset:2px}\
dt{font-weight:600}dd{margin:0 0 .6rem}code{overflow-wrap:anywhere}";

#[derive(Template)]
#[template(path = "login.html")]
struct Login<'a> {
    csrf: &'a str,
    message: Option<&'a str>,
    /// Whether the server can mail a link.
    mail: bool,
    style: &'static str,
}

/// `/login`: the key form and, when the server sends mail, the email-a-link form.
pub fn login(csrf: &str, message: Option<&str>, mail: bool) -> Page {
    let page = Login {
        csrf,
        message,
        mail,
        style: STYLE,
    };
    Page {
        html: page.render().unwrap_or_default(),
        csp: policy("", STYLE),
    }
}
