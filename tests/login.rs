//! People signing in: with a key or a one-time link, sessions as cookies bound to the key's
//! role, CSRF on every form, sign-out, and the dashboard for a session or a Bearer key.

mod common;

use std::process::Command;

use common::session::{self, csrf, set_cookie, sign_in};
use common::{Server, no_redirects, post_form};

/// Opens /login: its form cookie and token.
async fn login_form(server: &Server) -> (String, String) {
    let (cookie, html) = session::login_form(server).await;
    assert!(
        html.contains("heycmo login-link"),
        "no SMTP: the page says how to get a link"
    );
    (cookie, csrf(&html))
}

async fn dashboard(server: &Server, session: &str) -> reqwest::Response {
    no_redirects()
        .get(server.url("/dashboard"))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_key_signs_in_and_sign_out_ends_the_session() {
    let server = Server::start(&["--key-cache-seconds", "0"]);
    // Without the form's own cookie, or with a wrong key: refused, as a page.
    let (cookie, token) = login_form(&server).await;
    let forged = post_form(
        &server.url("/login"),
        &[("csrf", &token), ("key", &server.key)],
        None,
    )
    .await;
    assert_eq!(forged.status(), 403);
    let wrong = format!("hcmo_live_{}", "0".repeat(64));
    let refused = post_form(
        &server.url("/login"),
        &[("csrf", &token), ("key", &wrong)],
        Some(&cookie),
    )
    .await;
    assert_eq!(refused.status(), 401);
    assert!(
        refused.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    assert_eq!(
        dashboard(&server, "heycmo_session=junk").await.headers()["location"],
        "/login"
    );
    let session = sign_in(&server, &server.key).await;
    let page = common::strict_page(dashboard(&server, &session).await).await;
    assert!(page.contains(&server.customer_id), "{page}");
    assert!(page.contains("owner"));

    // The seed's route takes the session or the Bearer key, of its own customer only.
    let own = format!("/api/dashboard/{}", server.customer_id);
    let by_key = no_redirects()
        .get(server.url(&own))
        .bearer_auth(&server.key)
        .send()
        .await
        .unwrap();
    assert!(
        common::strict_page(by_key)
            .await
            .contains(&server.customer_id)
    );
    let (other, _) = server.create_customer("other@example.com");
    let theirs = no_redirects()
        .get(server.url(&format!("/api/dashboard/{other}")))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 403);
    let anonymous = no_redirects().get(server.url(&own)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    // Sign-out needs the session's token; then the cookie no longer works.
    let bad = post_form(
        &server.url("/logout"),
        &[("csrf", &"0".repeat(64))],
        Some(&session),
    )
    .await;
    assert_eq!(bad.status(), 403);
    let token = csrf(&page);
    let out = post_form(&server.url("/logout"), &[("csrf", &token)], Some(&session)).await;
    assert_eq!(out.status(), 303);
    assert!(set_cookie(&out, "heycmo_session").1.contains("Max-Age=0"));
    assert_eq!(
        dashboard(&server, &session).await.headers()["location"],
        "/login"
    );
}

#[tokio::test]
async fn a_one_time_link_signs_in_once_and_a_revoked_key_ends_its_sessions() {
    let server = Server::start(&["--key-cache-seconds", "0"]);
    let member = server.cli(&[
        "keys",
        "create",
        "--scope",
        "member",
        "--label",
        "sam@example.com",
    ]);
    let output = Command::new(env!("CARGO_BIN_EXE_heycmo"))
        .args(["login-link", "--email", "sam@example.com", "--db"])
        .arg(server.db())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let url = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(url.starts_with(&server.url("/login/")), "{url}");

    // Opening the link uses nothing; the button does, once.
    let page = common::strict_page(no_redirects().get(&url).send().await.unwrap()).await;
    let token = csrf(&page);
    let answer = post_form(&url, &[("csrf", &token)], None).await;
    assert_eq!(answer.status(), 303);
    let (session, _) = set_cookie(&answer, "heycmo_session");
    let board = common::strict_page(dashboard(&server, &session).await).await;
    assert!(board.contains("member"), "{board}");
    assert_eq!(
        post_form(&url, &[("csrf", &token)], None).await.status(),
        403
    );

    let unknown = Command::new(env!("CARGO_BIN_EXE_heycmo"))
        .args(["login-link", "--email", "nobody@example.com", "--db"])
        .arg(server.db())
        .output()
        .unwrap();
    assert!(!unknown.status.success());

    server.cli(&["keys", "revoke", member["id"].as_str().unwrap()]);
    assert_eq!(
        dashboard(&server, &session).await.headers()["location"],
        "/login"
    );
}
