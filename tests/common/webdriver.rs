//! Debian's Chromium driven over WebDriver (Debian's `chromium-driver`, as `.ci/run` installs
//! it), for tests that use the pages as a person does: typing, clicking, a narrow screen.
//! Screenshots go to `target/screenshots/` as test artefacts; they are never committed.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

fn driver_binary() -> String {
    std::env::var("HEYCMO_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

fn chromium_binary() -> String {
    std::env::var("HEYCMO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// A browser session and the driver process behind it.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// ChromeDriver's `/se/log`: the browser console since the last read.
#[derive(Debug)]
struct ConsoleLog;

impl WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

impl Browser {
    /// Starts the driver on a free loopback port and a headless session emulating a screen
    /// `width` CSS pixels wide (a phone's 375, say: a headless window cannot be that narrow).
    pub async fn start(width: u32) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(driver_binary())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}): install Debian's chromium-driver, or set HEYCMO_CHROMEDRIVER",
                    driver_binary()
                )
            });
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium_binary(),
                "mobileEmulation": {"deviceMetrics": {"width": width, "height": 812, "pixelRatio": 2}},
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--no-first-run", "--disable-quic",
                    // Without these Chromium calls home at start, and this machine's network is closed.
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(error) => {
                    assert!(Instant::now() < deadline, "no WebDriver session: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Ends the session, which closes the browser; dropping a `Browser` only stops the driver.
    pub async fn close(self) {
        self.client.clone().close().await.unwrap();
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Types `text` into the field matched by `css`, replacing what it held.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self
            .client
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Clicks what `css` matches (a form's button) and waits for the page it loads.
    pub async fn submit(&self, css: &str) {
        self.eval("window.heycmoBefore = true; return null;").await;
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let loaded = self
                .client
                .execute(
                    "return window.heycmoBefore === undefined && document.readyState === 'complete';",
                    Vec::new(),
                )
                .await;
            if matches!(loaded, Ok(Value::Bool(true))) {
                return;
            }
            assert!(Instant::now() < deadline, "{css} loaded no page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.client
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// The page's text, once a page is there (a click may have just started loading one).
    pub async fn text(&self) -> String {
        self.client
            .wait()
            .for_element(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Runs `script` in the page and answers its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.unwrap()
    }

    /// The console's errors (a refused script or style counts) since the last read.
    pub async fn console_errors(&self) -> Vec<String> {
        let log = self.client.issue_cmd(ConsoleLog).await.unwrap();
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Saves a screenshot as `target/screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// axe-core's WCAG 2 A and AA violations on the page: rule ids with the elements they
    /// name. axe comes pinned from the npm registry (`tests/a11y`, installed by `.ci/run`).
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/a11y/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run `npm ci` in tests/a11y)", path.display()));
        self.client.execute(&axe, Vec::new()).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                    .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                Vec::new(),
            )
            .await
            .unwrap();
        result
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }
}
