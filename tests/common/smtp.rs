//! A small SMTP server on loopback (RFC 5321: EHLO, MAIL, RCPT, DATA with dot-unstuffing,
//! RSET, NOOP, QUIT) that keeps what it accepted. It can refuse recipients with a 5xx reply,
//! and hold a message after its data arrived without answering, as a server does while a
//! client is killed mid-exchange: a held message is never accepted.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, dot-unstuffed, CRLF line ends.
    pub data: String,
}

impl Mail {
    /// A header's value (unfolded), by name in any case.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        let mut found = false;
        for line in head.split("\r\n") {
            if found && line.starts_with([' ', '\t']) {
                value.as_mut().unwrap().push_str(line.trim_start());
                continue;
            }
            if found {
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
                found = true;
            }
        }
        value
    }

    /// The text body, decoded (whatever transfer encoding the client chose).
    pub fn body(&self) -> String {
        mail_parser::MessageParser::default()
            .parse(self.data.as_bytes())
            .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct State {
    accepted: Vec<Mail>,
    /// Messages whose data arrived while holding: never answered, never accepted.
    held: Vec<Mail>,
    hold: bool,
    refuse: Vec<String>,
}

/// The server; cheap to clone.
#[derive(Clone)]
pub struct Smtp {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl Smtp {
    pub async fn start() -> Smtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let smtp = Smtp {
            port,
            state: Arc::default(),
        };
        let server = smtp.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move {
                    let _ = server.serve(stream).await;
                });
            }
        });
        smtp
    }

    /// The `--smtp-url` of this server.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn accepted(&self) -> Vec<Mail> {
        self.state.lock().unwrap().accepted.clone()
    }

    pub fn held(&self) -> Vec<Mail> {
        self.state.lock().unwrap().held.clone()
    }

    /// Holds every message after its data, answering nothing, while `hold` is set.
    pub fn hold(&self, hold: bool) {
        self.state.lock().unwrap().hold = hold;
    }

    /// Refuses this recipient with `550 5.1.1`.
    pub fn refuse(&self, address: &str) {
        self.state.lock().unwrap().refuse.push(address.to_owned());
    }

    /// Waits until `n` messages to `to` were accepted, and answers them.
    pub async fn wait_for(&self, to: &str, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mails: Vec<Mail> = self
                .accepted()
                .into_iter()
                .filter(|m| m.to.iter().any(|t| t == to))
                .collect();
            if mails.len() >= n {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {n} messages to {to} arrived: {:?}",
                mails.len(),
                self.accepted()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        write.write_all(b"220 test.example ESMTP\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_owned();
            let verb = command
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            let path = |c: &str| {
                c.split_once(':')
                    .map(|(_, rest)| rest.trim())
                    .and_then(|rest| rest.split_whitespace().next())
                    .unwrap_or_default()
                    .trim_matches(['<', '>'])
                    .to_owned()
            };
            let reply: &[u8] = match verb.as_str() {
                "EHLO" => b"250-test.example\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                "HELO" | "NOOP" => b"250 OK\r\n",
                "RSET" => {
                    (from, to) = (String::new(), Vec::new());
                    b"250 OK\r\n"
                }
                "MAIL" => {
                    from = path(&command);
                    b"250 OK\r\n"
                }
                "RCPT" => {
                    let address = path(&command);
                    if self.state.lock().unwrap().refuse.contains(&address) {
                        b"550 5.1.1 <address> no such user\r\n"
                    } else {
                        to.push(address);
                        b"250 OK\r\n"
                    }
                }
                "DATA" if to.is_empty() => b"554 5.5.1 no valid recipients\r\n",
                "DATA" => {
                    write.write_all(b"354 end with .\r\n").await?;
                    let mut data = String::new();
                    loop {
                        let mut text = String::new();
                        if reader.read_line(&mut text).await? == 0 {
                            return Ok(());
                        }
                        if text == ".\r\n" || text == ".\n" {
                            break;
                        }
                        let text = text.strip_prefix('.').unwrap_or(&text);
                        data.push_str(text);
                    }
                    let holding = {
                        let mut state = self.state.lock().unwrap();
                        if state.hold {
                            state.held.push(Mail {
                                from: from.clone(),
                                to: to.clone(),
                                data: data.clone(),
                            });
                        }
                        state.hold
                    };
                    if holding {
                        // No answer: the client waits until it dies or gives up.
                        let mut rest = Vec::new();
                        let _ = reader.read_to_end(&mut rest).await;
                        return Ok(());
                    }
                    // Accepted once the client was told so, not before.
                    write.write_all(b"250 2.0.0 queued\r\n").await?;
                    self.state.lock().unwrap().accepted.push(Mail {
                        from: std::mem::take(&mut from),
                        to: std::mem::take(&mut to),
                        data,
                    });
                    continue;
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await?;
                    return Ok(());
                }
                _ => b"502 5.5.2 not implemented\r\n",
            };
            write.write_all(reply).await?;
        }
    }
}
