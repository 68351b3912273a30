//! Leads through heycmo over REST: imports checked row by row, merged by email, scored on the
//! ideal customer profile and on what the collector saw, graded with `lead.scored`, and erased
//! for good with only a hash left on the suppression list.

mod common;

use common::collector::{acme_site, hit, wait_for};
use common::{Server, call, client, post};
use reqwest::Method;
use serde_json::{Value, json};

async fn rest(server: &Server, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    call(server, &server.key, method, path, body).await
}

fn leads(server: &Server) -> String {
    format!("/api/leads/{}", server.customer_id)
}

async fn list(server: &Server, query: &str) -> Vec<Value> {
    let (status, body) = rest(
        server,
        Method::GET,
        &format!("{}{query}", leads(server)),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["leads"].as_array().unwrap().clone()
}

fn by_email<'a>(leads: &'a [Value], email: &str) -> &'a Value {
    leads
        .iter()
        .find(|l| l["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {leads:?}"))
}

const CSV: &str = "email,first_name,last_name,company,title,employees,country,industry,plan\n\
Ann@Acme.example,Ann,Lee,Acme,Head of Marketing,120,FR,B2B SaaS,pro\n\
bob@gmail.com,Bob,Stone,,Marketing Manager,40,FR,SaaS,\n\
not-an-email,Carl,,,,,,,\n\
dee@bigco.example,Dee,Ng,BigCo,Engineer,5000,US,Manufacturing,\n\
eve@acme.example,Eve,,Acme,,lots,,,\n";

#[tokio::test(flavor = "multi_thread")]
async fn leads_are_imported_row_by_row_scored_graded_and_erased() {
    let server = Server::start(&[]);
    let (status, imported) = post(
        &server,
        &leads(&server),
        json!({"csv": CSV, "source": "webinar"}),
    )
    .await;
    assert_eq!(status, 200, "{imported}");
    assert_eq!(imported["created"], 3, "{imported}");
    let rejected = imported["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0]["row"], 3);
    assert!(
        rejected[0]["reason"]
            .as_str()
            .unwrap()
            .contains("not an email address")
    );
    assert_eq!(rejected[1]["row"], 5);
    assert!(
        rejected[1]["reason"]
            .as_str()
            .unwrap()
            .contains("employees \"lots\"")
    );

    // Without a profile there is no fit and so no grade: nothing is made up.
    let all = list(&server, "").await;
    assert_eq!(all.len(), 3);
    let ann = by_email(&all, "ann@acme.example");
    assert_eq!(ann["name"], "Ann Lee");
    assert_eq!(ann["plan"], Value::Null, "custom fields live under custom");
    assert_eq!(ann["custom"]["plan"], "pro");
    assert_eq!(ann["source"], "webinar");
    assert_eq!(ann["stage"], "new");
    assert_eq!(ann["fit"], Value::Null);
    assert_eq!(ann["grade"], Value::Null);

    // The profile scores every lead; free mail never fits.
    let (status, set) = rest(
        &server,
        Method::PUT,
        &format!("/api/icp/{}", server.customer_id),
        Some(
            json!({"industries": ["SaaS"], "employees": [{"min": 10, "max": 500}],
                    "titles": ["marketing"], "seniority": ["head", "vp"], "countries": ["FR"]}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["rescored"]["scored"], 3);
    assert_eq!(set["rescored"]["regraded"].as_array().unwrap().len(), 3);
    let all = list(&server, "").await;
    let ann = by_email(&all, "ann@acme.example");
    assert_eq!(
        (ann["fit"].clone(), ann["grade"].clone()),
        (json!(100), json!("A4"))
    );
    assert_eq!(all[0]["email"], "ann@acme.example", "best first");
    let bob = by_email(&all, "bob@gmail.com");
    assert_eq!(
        (bob["fit"].clone(), bob["grade"].clone()),
        (json!(0), json!("D4"))
    );
    let dee = by_email(&all, "dee@bigco.example");
    assert_eq!(dee["fit"], 0);
    assert_eq!(list(&server, "?grade=A").await.len(), 1);
    assert_eq!(list(&server, "?grade=D4").await.len(), 2);
    assert_eq!(list(&server, "?minFit=50").await.len(), 1);
    let events = rest(
        &server,
        Method::GET,
        &format!("/api/events/{}?type=lead.scored", server.customer_id),
        None,
    )
    .await
    .1;
    assert_eq!(events["events"].as_array().unwrap().len(), 3, "{events}");

    // The same person again: fields merged, no second lead.
    let (status, again) = post(
        &server,
        &leads(&server),
        json!({"rows": [{"email": "ANN@acme.example", "title": "VP Marketing", "phone": "+33 1"}]}),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        (again["created"].clone(), again["updated"].clone()),
        (json!(0), json!(1))
    );
    let id = ann["id"].as_str().unwrap().to_owned();
    let (status, got) = rest(
        &server,
        Method::GET,
        &format!("{}/{id}", leads(&server)),
        None,
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["title"], "VP Marketing");
    assert_eq!(got["company"], "Acme", "kept from the first import");
    assert_eq!(got["custom"], json!({"plan": "pro", "phone": "+33 1"}));
    let rules: Vec<&str> = got["scoring"]["fit"]["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["industry", "employees", "title", "seniority", "country"]
    );
    let timeline = got["timeline"].as_array().unwrap();
    assert!(
        timeline
            .iter()
            .any(|m| m["what"] == "graded A4 (was ungraded)"),
        "{timeline:?}"
    );
    assert!(
        timeline.last().unwrap()["what"]
            .as_str()
            .unwrap()
            .starts_with("added from webinar")
    );

    // A change of title moves the fit; null clears a field; the stage is set.
    let (status, changed) = rest(
        &server,
        Method::PATCH,
        &format!("{}/{id}", leads(&server)),
        Some(json!({"title": "Engineer", "country": null, "stage": "contacted"})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["stage"], "contacted");
    assert_eq!(changed["country"], Value::Null);
    assert_eq!(changed["fit"], 55, "industry 30 + employees 25 of 100");
    assert_eq!(changed["grade"], "B4");
    let (status, bad) = rest(
        &server,
        Method::PATCH,
        &format!("{}/{id}", leads(&server)),
        Some(json!({"stage": "won"})),
    )
    .await;
    assert_eq!(status, 422, "{bad}");

    // Erased: gone from the file, kept only as a hash, never imported again.
    let (status, deleted) = rest(
        &server,
        Method::DELETE,
        &format!("{}/{id}", leads(&server)),
        None,
    )
    .await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["suppressed"], true);
    let (status, _) = rest(
        &server,
        Method::GET,
        &format!("{}/{id}", leads(&server)),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let mut wal = server.db().into_os_string();
    wal.push("-wal");
    for path in [server.db(), wal.into()] {
        let file = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
        assert!(
            !file.contains("ann@acme.example"),
            "the erased address is still in {path:?}"
        );
        assert!(!file.contains("Ann Lee"), "{path:?}");
    }
    let (status, refused) = post(
        &server,
        &leads(&server),
        json!({"csv": "email\nann@acme.example\n"}),
    )
    .await;
    assert_eq!(status, 200, "{refused}");
    assert_eq!(refused["created"], 0);
    assert!(
        refused["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("suppression list")
    );

    // Refusals in the error format.
    let (status, error) = post(&server, &leads(&server), json!({"csv": "name\nAnn\n"})).await;
    assert_eq!(status, 422, "{error}");
    assert!(error["error"].as_str().unwrap().contains("no email column"));
    let (status, error) = post(&server, &leads(&server), json!({})).await;
    assert_eq!(status, 422, "{error}");
    let (status, error) = rest(
        &server,
        Method::PUT,
        &format!("/api/icp/{}", server.customer_id),
        Some(json!({"employees": [{"min": 500, "max": 10}]})),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["pointer"], "/employees/0");
}

#[tokio::test(flavor = "multi_thread")]
async fn intent_comes_from_what_the_collector_saw_of_the_lead() {
    let server = Server::start(&[]);
    let site = acme_site(&server).await;
    for body in [
        json!({"site": site, "url": "https://acme.example/blog/post"}),
        json!({"site": site, "url": "https://acme.example/blog/post", "event": "identify", "email": "Ann@Acme.example"}),
        json!({"site": site, "url": "https://acme.example/pricing"}),
    ] {
        hit(&server, body).await;
    }
    wait_for(
        &server,
        "SELECT count(*) FROM hits h JOIN visits v ON v.id = h.visit_id
         WHERE v.email_hash IS NOT NULL AND h.name IS NULL",
        2,
    )
    .await;
    let (status, imported) = post(
        &server,
        &leads(&server),
        json!({"rows": [{"email": "ann@acme.example"}, {"email": "bob@acme.example"}]}),
    )
    .await;
    assert_eq!(status, 200, "{imported}");
    let all = list(&server, "").await;
    // A visit (5) and a pricing page (15), seen just now.
    assert_eq!(by_email(&all, "ann@acme.example")["intent"], 20, "{all:?}");
    assert_eq!(by_email(&all, "bob@acme.example")["intent"], 0);
    let id = by_email(&all, "ann@acme.example")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, got) = rest(
        &server,
        Method::GET,
        &format!("{}/{id}", leads(&server)),
        None,
    )
    .await;
    let actions: Vec<&str> = got["scoring"]["intent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["highIntentPage", "visit"], "{got}");
    assert_eq!(got["scoring"]["intent"][0]["detail"], "/pricing");
}

async fn capture(
    server: &Server,
    site: &str,
    origin: Option<&str>,
    kind: &str,
    body: &str,
) -> reqwest::Response {
    let mut request = client()
        .post(server.url(&format!("/api/capture/{site}")))
        .header("content-type", kind)
        .body(body.to_owned());
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap()
}

/// A capture posted as JSON by a script on a page of `origin`.
async fn capture_json(
    server: &Server,
    site: &str,
    origin: Option<&str>,
    body: Value,
) -> reqwest::Response {
    capture(server, site, origin, "application/json", &body.to_string()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_magnet_form_captures_a_lead_and_ties_its_visits() {
    let server = Server::start(&[]);
    let site = acme_site(&server).await;
    let answer = hit(
        &server,
        json!({"site": site, "url": "https://acme.example/guide"}),
    )
    .await;
    let visitor = answer["visitor"].as_str().unwrap().to_owned();
    wait_for(&server, "SELECT count(*) FROM visits", 1).await;

    // The lead magnet's answer carries the form for its landing page.
    let (status, magnet) = post(
        &server,
        "/api/tools/generate_lead_magnet",
        json!({"topic": "trail running checklist", "kind": "checklist", "siteId": site}),
    )
    .await;
    assert_eq!(status, 200, "{magnet}");
    let form = magnet["captureForm"].as_str().unwrap();
    assert!(form.contains(&format!("/api/capture/{site}\"")), "{form}");
    assert!(form.contains("name=\"website\""));
    let (status, _) = post(
        &server,
        "/api/tools/generate_lead_magnet",
        json!({"topic": "trail running checklist", "kind": "checklist", "siteId": "site_0000000000000000"}),
    )
    .await;
    assert_eq!(status, 404);

    // A plain HTML form lands on a thank-you page, under a strict policy.
    let form = format!(
        "email=Ann%40Acme.example&name=Ann+Lee&magnet=The+%3Cb%3E2026%3C%2Fb%3E+guide&website=&visitor={visitor}"
    );
    let page = capture(
        &server,
        &site,
        Some("https://acme.example"),
        "application/x-www-form-urlencoded",
        &form,
    )
    .await;
    let html = common::strict_page(page).await;
    assert!(
        html.contains("Thank you") && html.contains("&#60;b&#62;2026")
            || html.contains("&lt;b&gt;2026"),
        "{html}"
    );
    let all = list(&server, "").await;
    assert_eq!(all.len(), 1);
    let ann = by_email(&all, "ann@acme.example");
    assert_eq!(ann["source"], "capture");
    assert_eq!(ann["name"], "Ann Lee");
    // The capture (20) and the visit it identified (5).
    assert_eq!(ann["intent"], 25, "{ann}");

    // A bot fills the honeypot: the same answer, nothing stored.
    let bot = capture(
        &server,
        &site,
        Some("https://acme.example"),
        "application/x-www-form-urlencoded",
        "email=bot%40spam.example&website=http%3A%2F%2Fspam.example",
    )
    .await;
    assert_eq!(bot.status(), 200);
    // A script posts JSON.
    let json_post = capture_json(
        &server,
        &site,
        Some("https://acme.example"),
        json!({"email": "bob@acme.example"}),
    )
    .await;
    assert_eq!(json_post.status(), 202);
    assert_eq!(
        json_post.json::<Value>().await.unwrap(),
        json!({"captured": true})
    );
    let emails: Vec<String> = list(&server, "")
        .await
        .iter()
        .map(|l| l["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(emails.len(), 2, "{emails:?}");
    assert!(!emails.contains(&"bot@spam.example".to_owned()));

    // Another site's page, no page at all, a bad address, an unknown site: refused.
    let elsewhere = capture_json(
        &server,
        &site,
        Some("https://evil.example"),
        json!({"email": "eve@acme.example"}),
    )
    .await;
    assert_eq!(elsewhere.status(), 403);
    assert_eq!(
        elsewhere.json::<Value>().await.unwrap()["code"],
        "E_FORBIDDEN"
    );
    let nowhere = capture_json(&server, &site, None, json!({"email": "eve@acme.example"})).await;
    assert_eq!(nowhere.status(), 403);
    let bad = capture_json(
        &server,
        &site,
        Some("https://acme.example"),
        json!({"email": "eve"}),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let unknown = capture_json(
        &server,
        "site_0000000000000000",
        Some("https://acme.example"),
        json!({"email": "eve@acme.example"}),
    )
    .await;
    assert_eq!(unknown.status(), 404);

    // An erased address is answered the same and not captured again.
    let id = by_email(&list(&server, "").await, "bob@acme.example")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = rest(
        &server,
        Method::DELETE,
        &format!("{}/{id}", leads(&server)),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let again = capture_json(
        &server,
        &site,
        Some("https://acme.example"),
        json!({"email": "bob@acme.example"}),
    )
    .await;
    assert_eq!(again.status(), 202);
    assert_eq!(list(&server, "").await.len(), 1);
}
