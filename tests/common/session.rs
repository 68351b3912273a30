//! A person in a browser, without the browser: signing in with a key, opening dashboard pages
//! with the session cookie, and posting their forms with the page's CSRF token.

use super::{Server, no_redirects, post_form};

/// The `name=value` of a response's `Set-Cookie` for `name`, and the whole header.
pub fn set_cookie(answer: &reqwest::Response, name: &str) -> (String, String) {
    let header = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie"));
    (header.split(';').next().unwrap().to_owned(), header)
}

/// The first CSRF token of a page.
pub fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + 64].to_owned()
}

/// Opens /login: its form cookie and the page.
pub async fn login_form(server: &Server) -> (String, String) {
    let page = no_redirects()
        .get(server.url("/login"))
        .send()
        .await
        .unwrap();
    let (cookie, _) = set_cookie(&page, "heycmo_form");
    (cookie, super::strict_page(page).await)
}

/// Signs in with `key`: the session cookie (`heycmo_session=…`).
pub async fn sign_in(server: &Server, key: &str) -> String {
    let (cookie, html) = login_form(server).await;
    let answer = post_form(
        &server.url("/login"),
        &[("csrf", &csrf(&html)), ("key", key)],
        Some(&cookie),
    )
    .await;
    assert_eq!(answer.status(), 303);
    assert_eq!(answer.headers()["location"], "/dashboard");
    let (session, header) = set_cookie(&answer, "heycmo_session");
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Lax"),
        "{header}"
    );
    session
}

/// A page with the session, redirects not followed.
pub async fn open(server: &Server, session: &str, path: &str) -> reqwest::Response {
    no_redirects()
        .get(server.url(path))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
}

/// The HTML of a dashboard page answered 200 under the strict policy.
pub async fn page(server: &Server, session: &str, path: &str) -> String {
    super::strict_page(open(server, session, path).await).await
}
