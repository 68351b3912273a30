//! The dashboard over HTTP: every page for every role, the content pipeline's approve, reject
//! and edit forms, the team page's invite and revoke, CSRF on every form, and hostile values
//! rendered inert. The same flows in a real browser are in tests/browser.rs.

mod common;

use common::session::{self, csrf, page, sign_in};
use common::{Server, call, draft, post, post_form};
use reqwest::Method;
use serde_json::{Value, json};

async fn state_of(server: &Server, id: &str) -> Value {
    let (status, item) = post(server, "/api/tools/get_content", json!({"contentId": id})).await;
    assert_eq!(status, 200);
    item
}

/// The hidden fields and action of the form on `html` whose action is `action` and which
/// carries `marker` (a record id), in document order.
fn form_fields(html: &str, action: &str, marker: &str) -> Vec<(String, String)> {
    let mut from = 0;
    while let Some(at) = html[from..].find(&format!("action=\"{action}\"")) {
        let start = from + at;
        let end = start + html[start..].find("</form>").unwrap();
        let form = &html[start..end];
        from = end;
        if !form.contains(marker) {
            continue;
        }
        let mut fields = Vec::new();
        let mut rest = form;
        while let Some(i) = rest.find("type=\"hidden\" name=\"") {
            rest = &rest[i + 20..];
            let name = &rest[..rest.find('"').unwrap()];
            let v = rest.find("value=\"").unwrap() + 7;
            let value = &rest[v..v + rest[v..].find('"').unwrap()];
            fields.push((name.to_owned(), html_unescape(value)));
        }
        return fields;
    }
    panic!("no form {action} for {marker} in {html}");
}

fn html_unescape(text: &str) -> String {
    text.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#61;", "=")
        .replace("&#63;", "?")
        .replace("&#47;", "/")
}

async fn submit(
    server: &Server,
    session: &str,
    action: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    post_form(&server.url(action), &pairs, Some(session)).await
}

#[tokio::test]
async fn every_page_renders_for_every_role_under_a_strict_policy() {
    let server = Server::start(&["--key-cache-seconds", "0"]);
    let owner = sign_in(&server, &server.key).await;
    let reader = server.cli(&[
        "keys",
        "create",
        "--scope",
        "read-only",
        "--label",
        "ro@example.com",
    ]);
    let reader = sign_in(&server, reader["apiKey"].as_str().unwrap()).await;
    let pages = heycmo::pages::dashboard::sections::NAV
        .iter()
        .map(|(slug, _)| format!("/dashboard/{slug}"))
        .chain([
            "/dashboard/content?state=draft".into(),
            "/dashboard/events?type=tool.called".into(),
        ]);
    for path in pages {
        for session in [&owner, &reader] {
            let html = page(&server, session, &path).await;
            assert!(
                html.contains("<nav aria-label=\"Dashboard\">"),
                "{path}: {html}"
            );
            assert!(html.contains("aria-current=\"page\""), "{path}");
            assert!(!html.contains("could not be shown"), "{path}: {html}");
        }
    }
    // A read-only person sees the team page's refusal, not the keys.
    let team = page(&server, &reader, "/dashboard/team").await;
    assert!(
        team.contains("your role (read-only) cannot see this"),
        "{team}"
    );
    assert!(!team.contains("Invite a teammate"));

    // A page that does not exist is a readable 404; nobody signed in goes to /login.
    let missing = session::open(&server, &owner, "/dashboard/nothing").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let team = session::open(&server, &owner, "/team").await;
    assert_eq!(team.headers()["location"], "/dashboard/team");
    let anonymous = session::open(&server, "", "/dashboard/content").await;
    assert_eq!(anonymous.headers()["location"], "/login");
}

#[tokio::test]
async fn drafts_are_approved_rejected_and_edited_from_the_content_pages() {
    let server = Server::start(&[]);
    let session = sign_in(&server, &server.key).await;
    let hostile = "<script>alert(1)</script> trail running";
    let first = draft(&server, hostile).await;
    let second = draft(&server, "Running when it pours").await;

    let list = page(&server, &session, "/dashboard/content?state=draft").await;
    assert!(
        !list.contains("<script>alert(1)"),
        "the title is escaped: {list}"
    );
    assert!(list.contains("&#60;script&#62;") || list.contains("&lt;script&gt;"));
    let overview = page(&server, &session, "/dashboard").await;
    assert!(overview.contains("Drafts waiting for review"), "{overview}");

    // Approve the first from the list; the API sees it approved, and the page says so.
    let fields = form_fields(&list, "/dashboard/do/approve_content", &first);
    let answer = submit(&server, &session, "/dashboard/do/approve_content", &fields).await;
    assert_eq!(answer.status(), 303);
    let back = answer.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, "/dashboard/content?state=draft&done=approve_content");
    assert_eq!(state_of(&server, &first).await["state"], "approved");
    assert!(
        page(&server, &session, &back)
            .await
            .contains("Approve content: done.")
    );
    let events = page(&server, &session, "/dashboard/events?type=content.*").await;
    assert!(events.contains("content.approved"), "{events}");

    // Reject the second with a reason, from its own page.
    let item = page(&server, &session, &format!("/dashboard/content/{second}")).await;
    let mut fields = form_fields(&item, "/dashboard/do/reject_content", &second);
    fields.push(("reason".into(), "Off brand".into()));
    let answer = submit(&server, &session, "/dashboard/do/reject_content", &fields).await;
    assert_eq!(answer.status(), 303);
    let rejected = state_of(&server, &second).await;
    assert_eq!(
        (
            rejected["state"].as_str(),
            rejected["rejectionReason"].as_str()
        ),
        (Some("rejected"), Some("Off brand"))
    );

    // Edit: title, keywords as a comma list, body.
    let mut fields = form_fields(&item, "/dashboard/do/update_content", &second);
    fields.extend([
        ("title".to_owned(), "Running in the rain".to_owned()),
        ("keywords".to_owned(), "trail running, rain".to_owned()),
        ("metaDescription".to_owned(), String::new()),
        (
            "body".to_owned(),
            "A new body.\n\nWith two paragraphs.".to_owned(),
        ),
    ]);
    let answer = submit(&server, &session, "/dashboard/do/update_content", &fields).await;
    assert_eq!(answer.status(), 303, "{}", answer.text().await.unwrap());
    let edited = state_of(&server, &second).await;
    assert_eq!(edited["title"], "Running in the rain");
    assert_eq!(edited["keywords"], json!(["trail running", "rain"]));
    assert_eq!(edited["body"], "A new body.\n\nWith two paragraphs.");

    // A form without the session's token, or approving twice, is refused as a page.
    let mut forged = fields.clone();
    forged.retain(|(k, _)| k != "csrf");
    forged.push(("csrf".into(), "0".repeat(64)));
    let answer = submit(&server, &session, "/dashboard/do/update_content", &forged).await;
    assert_eq!(answer.status(), 403);
    let again = form_fields(&list, "/dashboard/do/approve_content", &first);
    let answer = submit(&server, &session, "/dashboard/do/approve_content", &again).await;
    assert_eq!(answer.status(), 409);
    assert!(answer.text().await.unwrap().contains("Back"));
    // Only the dashboard's actions run from a form.
    let token = csrf(&list);
    let answer = post_form(
        &server.url("/dashboard/do/delete_site"),
        &[("csrf", &token)],
        Some(&session),
    )
    .await;
    assert_eq!(answer.status(), 404);
}

#[tokio::test]
async fn a_member_reviews_but_cannot_manage_the_team_and_the_owner_invites_and_revokes() {
    let server = Server::start(&["--key-cache-seconds", "0"]);
    let owner = sign_in(&server, &server.key).await;
    let team = page(&server, &owner, "/dashboard/team").await;
    assert!(team.contains("Invite a teammate"), "{team}");

    // Invite: the key is shown once, on the answer's page.
    let fields = vec![
        ("csrf".to_owned(), csrf(&team)),
        ("back".to_owned(), "/dashboard/team".to_owned()),
        ("email".to_owned(), "sam@example.com".to_owned()),
        ("role".to_owned(), "member".to_owned()),
    ];
    let answer = submit(&server, &owner, "/dashboard/do/invite_member", &fields).await;
    let shown = common::strict_page(answer).await;
    let at = shown.find("hcmo_live_").expect("the new key, once");
    let key = shown[at..at + 74].to_owned();
    let (status, _) = call(
        &server,
        &key,
        Method::POST,
        "/api/tools/get_account",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200);

    // The member reviews content, but sees no team and cannot post its forms.
    let member = sign_in(&server, &key).await;
    let id = draft(&server, "Running when it pours").await;
    let list = page(&server, &member, "/dashboard/content").await;
    assert!(list.contains("/dashboard/do/approve_content"));
    let members_team = page(&server, &member, "/dashboard/team").await;
    assert!(members_team.contains("cannot see this"));
    let answer = post_form(
        &server.url("/dashboard/do/invite_member"),
        &[("csrf", &csrf(&list)), ("email", "eve@example.com")],
        Some(&member),
    )
    .await;
    assert_eq!(answer.status(), 403);
    let fields = form_fields(&list, "/dashboard/do/approve_content", &id);
    assert_eq!(
        submit(&server, &member, "/dashboard/do/approve_content", &fields)
            .await
            .status(),
        303
    );

    // The owner revokes the member: their key and their session stop working.
    let team = page(&server, &owner, "/dashboard/team").await;
    assert!(team.contains("sam@example.com"), "{team}");
    let (_, keys) = call(
        &server,
        &server.key,
        Method::GET,
        &format!("/api/team/{}", server.customer_id),
        None,
    )
    .await;
    let sam = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["label"] == "sam@example.com")
        .unwrap();
    let sam_id = sam["id"].as_str().unwrap();
    let fields = form_fields(&team, "/dashboard/do/revoke_key", sam_id);
    assert_eq!(
        submit(&server, &owner, "/dashboard/do/revoke_key", &fields)
            .await
            .status(),
        303
    );
    let (status, _) = call(
        &server,
        &key,
        Method::POST,
        "/api/tools/get_account",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        session::open(&server, &member, "/dashboard")
            .await
            .headers()["location"],
        "/login"
    );

    // The last owner key cannot be revoked.
    let own = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["role"] == "owner")
        .unwrap();
    let (status, body) = call(
        &server,
        &server.key,
        Method::DELETE,
        &format!(
            "/api/team/{}/keys/{}",
            server.customer_id,
            own["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("E_CONFLICT")),
        "{body}"
    );
}
