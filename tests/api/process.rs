//! The real `setpass` binary as a child process (to kill it, or read all it logs), and a
//! Keystone proxy that can stall a chosen call forever, as a crash or a lost answer would.
#![allow(dead_code)]
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A running `setpass` with its own config; all it writes to stderr is kept.
pub struct ServerProcess {
    child: Child,
    pub address: String,
    log: Arc<Mutex<String>>,
    /// Copies stderr into `log`; it ends when the process and its stderr are gone.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl ServerProcess {
    /// Starts the binary on `dir/setpass.db` against `auth_url` and waits until it answers.
    pub fn start(dir: &Path, auth_url: &str, env: &[(&str, &str)]) -> Self {
        let mut server = Self::launch(dir, auth_url, env);
        if let Err(log) = server.until_listening(Duration::from_secs(10)) {
            panic!("setpass did not start: {log}");
        }
        server
    }

    /// Starts the binary without waiting for it (see `until_listening`).
    pub fn launch(dir: &Path, auth_url: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_setpass"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SETPASS_SERVER__LISTEN", format!("127.0.0.1:{port}"))
            .env("SETPASS_SERVER__PUBLIC_URL", "https://setpass.example.test")
            .env("SETPASS_SERVER__WORKERS", "1")
            .env("SETPASS_DATABASE__PATH", dir.join("setpass.db"))
            .env("SETPASS_KEYSTONE__AUTH_URL", auth_url)
            .env("SETPASS_ARGON2__MEMORY_KIB", "1024")
            .env("SETPASS_ARGON2__ITERATIONS", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("setpass starts");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let address = format!("http://127.0.0.1:{port}");
        Self { child, address, log, reader: Some(reader) }
    }

    /// Waits until it accepts connections; its log if it exited first or took longer.
    pub fn until_listening(&mut self, limit: Duration) -> Result<(), String> {
        let port: u16 = self.address.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap();
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                if let Some(reader) = self.reader.take() {
                    reader.join().unwrap();
                }
                return Err(format!("exited ({status}): {}", self.log()));
            }
            if started.elapsed() > limit {
                return Err(format!("not listening after {limit:?}: {}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// What it has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// `kill -9`: no cleanup of any kind.
    pub fn kill_hard(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then the exit code once it has stopped.
    pub fn terminate_and_wait(mut self) -> Option<i32> {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        self.child.wait().unwrap().code()
    }

    /// Stops it politely and returns everything it logged.
    pub fn stop_and_collect_log(mut self) -> String {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        self.child.wait().unwrap();
        // Everything it wrote is in the log once the reader has seen the end of stderr.
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        let log = self.log.lock().unwrap().clone();
        log
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Which Keystone call to hold, and whether Keystone sees it first.
#[derive(Clone)]
pub struct Stall {
    pub method: &'static str,
    pub path_contains: &'static str,
    pub body_contains: &'static str,
    pub after_keystone: bool,
}

#[derive(Clone, Default)]
struct ProxyState {
    target: String,
    stall: Arc<Mutex<Option<Stall>>>,
    reached: Arc<tokio::sync::Notify>,
}

/// Forwards to the real Keystone; a request matching the stall rule never gets an answer.
pub struct KeystoneProxy {
    pub url: String,
    state: ProxyState,
}

impl KeystoneProxy {
    pub async fn start(keystone_v3: &str) -> Self {
        let target = keystone_v3.trim_end_matches("/v3").to_owned();
        let state = ProxyState { target, ..Default::default() };
        let data = web::Data::new(state.clone());
        let server =
            HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(forward)))
                .workers(1)
                .bind(("127.0.0.1", 0))
                .unwrap();
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self { url: format!("http://127.0.0.1:{port}/v3"), state }
    }

    pub fn stall(&self, stall: Stall) {
        *self.state.stall.lock().unwrap() = Some(stall);
    }

    /// Waits until the stalled call has arrived (and, if so set, been answered by Keystone).
    pub async fn reached(&self) {
        tokio::time::timeout(Duration::from_secs(20), self.state.reached.notified())
            .await
            .expect("stalled call reached");
    }
}

async fn forward(req: HttpRequest, body: web::Bytes, state: web::Data<ProxyState>) -> HttpResponse {
    let stall = state.stall.lock().unwrap().clone().filter(|s| {
        req.method().as_str() == s.method
            && req.path().contains(s.path_contains)
            && String::from_utf8_lossy(&body).contains(s.body_contains)
    });
    if stall.as_ref().is_some_and(|s| !s.after_keystone) {
        state.reached.notify_one();
        std::future::pending::<()>().await;
    }
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap();
    let mut upstream = client.request(method, format!("{}{}", state.target, req.uri()));
    for (name, value) in req.headers() {
        if name != "host" {
            upstream = upstream.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = upstream.body(body.to_vec()).send().await.unwrap();
    if stall.is_some() {
        state.reached.notify_one();
        std::future::pending::<()>().await;
    }
    let mut response =
        HttpResponse::build(actix_web::http::StatusCode::from_u16(answer.status().as_u16()).unwrap());
    for (name, value) in answer.headers() {
        if name != "content-length" && name != "transfer-encoding" && name != "connection" {
            response.insert_header((name.as_str(), value.as_bytes()));
        }
    }
    response.body(answer.bytes().await.unwrap())
}

pub fn temp_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}
