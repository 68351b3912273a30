//! The pages of a person's account: signing in, and the overview they land on.

use askama::Template;

use super::{Page, policy};

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}\
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

/// What the overview shows of an account.
pub struct Overview<'a> {
    pub customer: &'a str,
    pub email: &'a str,
    pub brand: Option<&'a str>,
    pub plan: &'a str,
    pub status: &'a str,
    /// The trial's end, as a date.
    pub trial: Option<String>,
    pub role: &'a str,
    pub blocked: bool,
    /// The sign-out form's token; empty when the page was asked for with a key, not a session.
    pub csrf: &'a str,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard<'a> {
    customer: &'a str,
    email: &'a str,
    brand: Option<&'a str>,
    plan: &'a str,
    status: &'a str,
    trial: Option<String>,
    role: &'a str,
    blocked: bool,
    csrf: &'a str,
    style: &'static str,
}

/// The dashboard's overview.
pub fn overview(view: Overview<'_>) -> Page {
    let page = Dashboard {
        customer: view.customer,
        email: view.email,
        brand: view.brand,
        plan: view.plan,
        status: view.status,
        trial: view.trial,
        role: view.role,
        blocked: view.blocked,
        csrf: view.csrf,
        style: STYLE,
    };
    Page {
        html: page.render().unwrap_or_default(),
        csp: policy("", STYLE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_brand_name_renders_inert() {
        let page = overview(Overview {
            customer: "cust_1",
            email: "a@example.com",
            brand: Some("<script>alert(1)</script>"),
            plan: "pro",
            status: "active",
            trial: None,
            role: "owner",
            blocked: false,
            csrf: "t",
        });
        assert!(!page.html.contains("<script>alert(1)"), "{}", page.html);
        assert!(page.html.contains("&#60;script&#62;") || page.html.contains("&lt;script&gt;"));
    }
}
