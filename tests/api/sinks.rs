//! What the service talks to when it notifies: a real SMTP server on loopback
//! (scripts/smtp_sink.py, aiosmtpd) and a webhook receiver that records what it is sent.
#![allow(dead_code)]
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::Value;
use setpass::config::{EmailSettings, SmtpTls};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The sender every test mail comes from.
pub const FROM: &str = "Test Cloud <noreply@setpass.example.test>";

/// A loopback SMTP server; each accepted message is a JSON file (see scripts/smtp_sink.py).
pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
    // Closing it tells the server to exit, even if this process dies without dropping it.
    _stdin: ChildStdin,
}

impl SmtpSink {
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// With a login, the server offers and requires AUTH, and accepts only that user.
    pub fn start_with(login: Option<(&str, &str)>) -> Self {
        let python = std::env::var("SETPASS_TEST_PYTHON").unwrap_or_else(|_| {
            panic!("SETPASS_TEST_PYTHON is not set: run the tests with scripts/test.sh (it points at the venv with aiosmtpd)")
        });
        let dir = tempfile::tempdir().unwrap();
        let stderr = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/smtp_sink.py");
        let mut command = Command::new(python);
        command.arg(script).arg(dir.path()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(stderr);
        if let Some((user, password)) = login {
            command.arg("--login").arg(format!("{user}:{password}"));
        }
        let mut child = command.spawn().expect("the SMTP sink starts");
        let stdin = child.stdin.take().unwrap();
        let mut first_line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first_line).unwrap();
        let port = first_line.trim().parse().unwrap_or_else(|_| {
            let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
            panic!("the SMTP sink did not start (run scripts/keystone.sh install): {log}")
        });
        Self { port, dir, child, _stdin: stdin }
    }

    /// `[email]` for this server.
    pub fn settings(&self) -> EmailSettings {
        email_settings(self.port)
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        files
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Value> {
        self.files()
            .iter()
            .map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
            .collect()
    }

    /// Waits (up to 15 s) until at least `count` messages have arrived; returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Value> {
        let started = Instant::now();
        while self.files().len() < count {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "only {} of {count} mails arrived",
                self.files().len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.received()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `[email]` for a server on this loopback port: plain SMTP, the test sender.
pub fn email_settings(port: u16) -> EmailSettings {
    EmailSettings {
        enabled: true,
        host: Some("127.0.0.1".into()),
        port,
        tls: SmtpTls::None,
        from: Some(FROM.into()),
        ..EmailSettings::default()
    }
}

/// The one-time token in a link to `public_url` inside `text`.
pub fn token_in(text: &str, public_url: &str) -> String {
    let start = text.find(&format!("{public_url}/?token=")).unwrap_or_else(|| panic!("no link in {text}"))
        + public_url.len()
        + "/?token=".len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// One request the webhook receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub signature: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// When it arrived.
    pub at: Instant,
}

impl Delivery {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Clone)]
struct ReceiverState {
    status: u16,
    seen: Arc<Mutex<Vec<Delivery>>>,
}

/// An HTTP server that records each POST and answers it with a fixed status.
pub struct WebhookReceiver {
    pub url: String,
    seen: Arc<Mutex<Vec<Delivery>>>,
}

impl WebhookReceiver {
    pub async fn start(status: u16) -> Self {
        let state = ReceiverState { status, seen: Arc::default() };
        let data = web::Data::new(state.clone());
        let server =
            HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(record)))
                .workers(1)
                .bind(("127.0.0.1", 0))
                .unwrap();
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self { url: format!("http://127.0.0.1:{port}/hooks/setpass"), seen: state.seen }
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits (up to 15 s) for a delivery matching `want`.
    pub async fn wait_for(&self, want: impl Fn(&Value) -> bool) -> Delivery {
        let started = Instant::now();
        loop {
            if let Some(found) = self.deliveries().into_iter().find(|d| want(&d.json())) {
                return found;
            }
            assert!(started.elapsed() < Duration::from_secs(15), "no such event in {:?}", self.deliveries());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until nothing has arrived for `quiet` (at most 15 s more), then returns every
    /// delivery: a duplicate due within `quiet` of the last one is among them.
    pub async fn after_quiet(&self, quiet: Duration) -> Vec<Delivery> {
        let started = Instant::now();
        loop {
            let deliveries = self.deliveries();
            let last = deliveries.last().map_or(started, |d| d.at);
            if last.elapsed() >= quiet {
                return deliveries;
            }
            assert!(started.elapsed() < quiet + Duration::from_secs(15), "never quiet: {deliveries:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn record(req: HttpRequest, body: web::Bytes, state: web::Data<ReceiverState>) -> HttpResponse {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    state.seen.lock().unwrap().push(Delivery {
        signature: header("x-setpass-signature"),
        content_type: header("content-type"),
        body: body.to_vec(),
        at: Instant::now(),
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(state.status).unwrap()).finish()
}
