//! Shared test harness: the real `heycmo` binary on an ephemeral port with a temporary SQLite
//! file, or the library's server in-process, and small HTTP helpers.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `heycmo serve` child process.
pub struct Server {
    pub base: String,
    pub key: String,
    pub customer_id: String,
    pub dir: tempfile::TempDir,
    pub stderr_path: PathBuf,
    child: Child,
}

impl Server {
    /// Starts `heycmo serve` with the given extra arguments and waits until it listens.
    pub fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        Server::start_in(dir, extra)
    }

    pub fn start_in(dir: tempfile::TempDir, extra: &[&str]) -> Server {
        let db = dir.path().join("heycmo.db");
        let stderr_path = dir.path().join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_heycmo"))
            .args(["serve", "--bind", "127.0.0.1:0", "--db"])
            .arg(&db)
            .args(extra)
            .env("HEYCMO_LOG", "trace")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start heycmo");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let (mut key, mut customer_id, mut base) = (String::new(), String::new(), String::new());
        for line in lines.by_ref() {
            let line = line.expect("stdout line");
            if let Some(k) = line.split_whitespace().find(|w| w.starts_with("hcmo_live_")) {
                key = k.to_owned();
            }
            if let Some(c) = line.split_whitespace().find(|w| w.starts_with("cust_")) {
                customer_id = c.to_owned();
            }
            if let Some(rest) = line.strip_prefix("heycmo listening on ") {
                base = rest.split_whitespace().next().unwrap().to_owned();
                break;
            }
        }
        assert!(!base.is_empty(), "the server did not start; stderr: {}", std::fs::read_to_string(&stderr_path).unwrap_or_default());
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { base, key, customer_id, dir, stderr_path, child }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("heycmo.db")
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Creates another customer through the CLI, answering (customer id, key).
    pub fn create_customer(&self, email: &str) -> (String, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_heycmo"))
            .args(["customers", "create", "--email", email, "--db"])
            .arg(self.db())
            .output()
            .expect("run heycmo customers create");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        (value["customerId"].as_str().unwrap().to_owned(), value["apiKey"].as_str().unwrap().to_owned())
    }

    /// Stops the server with SIGTERM and waits for it to exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "the server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}
