//! The dashboard under a large account: 10,000 content items and 100,000 events. The real
//! `heycmo serve` binary on a temporary SQLite file, a signed-in session, and each page asked
//! for in turn from one client on loopback: latency p50 / p99 (the client's round trip, so an
//! upper bound of the server's time) and the page's size. The baseline, measured the same way
//! in the same run, is `GET /api/health`: the round trip of a request that reads nothing.
//!
//! `cargo bench --bench dashboard` (`make bench` runs it); targets: p99 ≤ 20 ms, ≤ 100 KB.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CONTENT: usize = 10_000;
const EVENTS: usize = 100_000;
const REQUESTS: usize = 300;

struct Figures {
    p50: Duration,
    p99: Duration,
    bytes: usize,
}

async fn measure(client: &reqwest::Client, url: &str, cookie: &str) -> Figures {
    let mut times = Vec::with_capacity(REQUESTS);
    let mut bytes = 0;
    for _ in 0..20 {
        client
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
    }
    for _ in 0..REQUESTS {
        let started = Instant::now();
        let answer = client
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{url}");
        bytes = answer.bytes().await.unwrap().len();
        times.push(started.elapsed());
    }
    times.sort();
    Figures {
        p50: times[REQUESTS / 2],
        p99: times[REQUESTS * 99 / 100],
        bytes,
    }
}

/// Copies the one stored content item and the event log's rows until the account holds
/// `CONTENT` items and `EVENTS` events, straight into the database file.
fn seed(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('content')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let pick = |column: &str| match column {
        "id" => "printf('cnt_%016x', n)".to_owned(),
        "item" => "replace(item, content.id, printf('cnt_%016x', n))".to_owned(),
        "updated_at" | "created_at" => format!("{column} - n * 1000"),
        other => other.to_owned(),
    };
    let select: Vec<String> = columns.iter().map(|c| pick(c)).collect();
    conn.execute_batch(&format!(
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {})
         INSERT INTO content ({}) SELECT {} FROM content, seq;
         WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {EVENTS})
         INSERT INTO events (customer_id, type, data, created_at)
           SELECT customer_id, type, data, created_at + n FROM (SELECT * FROM events ORDER BY id LIMIT 1), seq;",
        CONTENT - 1,
        columns.join(", "),
        select.join(", "),
    ))
    .unwrap();
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("heycmo.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_heycmo"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--rate-rest",
            "1000000",
            "--rate-preauth",
            "1000000",
            "--db",
        ])
        .arg(&db)
        .env("HEYCMO_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The server prints the local key, then the address it listens on, on stdout.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base, mut key) = (None, None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(k) = line
            .split_whitespace()
            .find(|w| w.starts_with("hcmo_live_"))
        {
            key = Some(k.to_owned());
        }
        if let Some(rest) = line.strip_prefix("heycmo listening on ") {
            base = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let (base, key) = (base.unwrap(), key.unwrap());
    let client = heycmo::web::client().build().unwrap();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&key)
            .json(&body)
            .send()
    };
    let brief: Value = post(
        "/api/tools/run_content_creation",
        json!({"topic": "trail running in the rain", "format": "blog"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = brief["id"].as_str().unwrap();
    let answer = post(
        "/api/tools/submit_draft",
        json!({"contentId": id, "title": "Trail running in the rain", "body": "Wet trails need care."}),
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), 200);
    seed(&db);

    // Sign in as a person does.
    let login = client.get(format!("{base}/login")).send().await.unwrap();
    let form_cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = login.text().await.unwrap();
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[at..at + 64].to_owned();
    let signed = heycmo::web::client()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{base}/login"))
        .header("cookie", &form_cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([("csrf", csrf.as_str()), ("key", key.as_str())])
                .finish(),
        )
        .send()
        .await
        .unwrap();
    let session = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    println!(
        "dashboard: {CONTENT} content items, {EVENTS} events, {REQUESTS} requests per page, one client on loopback"
    );
    println!(
        "{:<34} {:>9} {:>9} {:>10}",
        "page", "p50 ms", "p99 ms", "KB"
    );
    for path in [
        "/api/health",
        "/dashboard",
        "/dashboard/content",
        "/dashboard/content?state=draft",
        "/dashboard/events",
        "/dashboard/calendar",
    ] {
        let figures = measure(&client, &format!("{base}{path}"), &session).await;
        println!(
            "{:<34} {:>9.2} {:>9.2} {:>10.1}",
            path,
            figures.p50.as_secs_f64() * 1e3,
            figures.p99.as_secs_f64() * 1e3,
            figures.bytes as f64 / 1024.0
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}
