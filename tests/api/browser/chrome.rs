//! Headless Debian Chromium driven through its own chromedriver, one pair per test.
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::{Method, Url};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "chromedriver";

/// A chromedriver child in its own process group; dropping it (also on panic) kills the group,
/// so the Chromium it started cannot outlive the test either.
struct DriverProcess(Child);

impl Drop for DriverProcess {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser session. Fields drop in order: the session, then chromedriver, then the profile.
pub struct Browser {
    pub client: Client,
    _driver: DriverProcess,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A desktop window of `width` x `height`.
    pub async fn desktop(width: u32, height: u32) -> Browser {
        Self::start(Screen::Desktop { width, height }).await
    }

    /// A phone's screen of `width` x `height` CSS px (touch, mobile viewport rules). Headless
    /// windows are at least 500 px wide, so the phone is emulated as Chrome's device mode does.
    pub async fn phone(width: u32, height: u32) -> Browser {
        Self::start(Screen::Phone { width, height }).await
    }

    /// Starts chromedriver on a free port and a fresh headless Chromium with the console log on.
    async fn start(screen: Screen) -> Browser {
        let (driver, port) = spawn_driver();
        let url = format!("http://127.0.0.1:{port}");
        wait_until_ready(&url).await;
        let profile = tempfile::tempdir().unwrap();
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(&profile, screen))
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("chromedriver would not start {CHROMIUM}: {e}"));
        let browser = Browser { client, _driver: driver, _profile: profile };
        browser.assert_console_is_captured().await;
        browser
    }

    /// An empty console log means nothing only if the log works: check with a known error.
    async fn assert_console_is_captured(&self) {
        self.js("console.error('setpass-e2e-probe')").await;
        let console = self.console().await;
        assert!(
            console.iter().any(|(level, message)| level == "SEVERE" && message.contains("setpass-e2e-probe")),
            "the browser log misses a console.error, so errors would go unnoticed: {console:?}"
        );
    }

    /// Quits Chromium; the guard then stops chromedriver.
    pub async fn quit(self) {
        let Browser { client, _driver, _profile } = self;
        client.close().await.expect("quit the browser");
    }

    /// What the console got since the last call: `(level, message)` pairs, errors are "SEVERE".
    /// Chromium writes CSP violations there too, including those during page load.
    pub async fn console(&self) -> Vec<(String, String)> {
        let log = self.client.issue_cmd(BrowserLog).await.expect("read the browser log");
        let entries = log.as_array().unwrap_or_else(|| panic!("browser log is not a list: {log}"));
        entries
            .iter()
            .map(|e| {
                (e["level"].as_str().unwrap_or("").to_owned(), e["message"].as_str().unwrap_or("").to_owned())
            })
            .collect()
    }

    /// Saves what the window shows to `target/e2e-screenshots/<name>.png`; returns the PNG.
    pub async fn screenshot(&self, name: &str) -> Vec<u8> {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
        png
    }

    /// Types into the input that the label with this exact text names (`label for=…`).
    pub async fn fill(&self, label: &str, text: &str) {
        let xpath = format!("//input[@id = //label[normalize-space() = '{label}']/@for]");
        let input = match self.client.find(Locator::XPath(&xpath)).await {
            Ok(input) => input,
            Err(e) => panic!("no input labelled {label:?} ({e}) on this page:\n{}", self.page_text().await),
        };
        input.send_keys(text).await.unwrap();
    }

    /// Types into the input with this `id` (for pages in any language).
    pub async fn fill_id(&self, id: &str, text: &str) {
        let input = match self.client.find(Locator::Id(id)).await {
            Ok(input) => input,
            Err(e) => panic!("no input #{id} ({e}) on this page:\n{}", self.page_text().await),
        };
        input.send_keys(text).await.unwrap();
    }

    /// axe-core's WCAG 2.0-2.2 A and AA violations on the page, one line each (rule, impact,
    /// the elements). axe is handed to the page through WebDriver, which the page's CSP does
    /// not govern, so the page itself runs no script.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let path = std::env::var("SETPASS_TEST_AXE")
            .expect("SETPASS_TEST_AXE names axe.min.js: run the tests with scripts/test.sh");
        let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let run = r#"
            const done = arguments[arguments.length - 1];
            window.axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})
              .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                  + v.nodes.map(n => n.target.join(' ')).join(', '))),
                    e => done(['axe did not run: ' + e]));"#;
        let found = self
            .client
            .execute_async(&format!("{axe}\n{run}"), vec![])
            .await
            .unwrap_or_else(|e| panic!("axe-core: {e}"));
        serde_json::from_value(found).expect("axe answers a list")
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Clicks the form's submit button and waits (up to 10 s) for the next page to load; the
    /// next page may look like this one (a wrong PIN), so it waits for a new document.
    pub async fn submit(&self) {
        self.js("document.documentElement.dataset.e2eLeft = 'yes'").await;
        self.click("form button[type=submit]").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        let loaded = "return !document.documentElement.dataset.e2eLeft && document.readyState === 'complete'";
        while self.client.execute(loaded, vec![]).await.ok() != Some(Value::Bool(true)) {
            assert!(
                Instant::now() < deadline,
                "no new page 10 s after submitting:\n{}",
                self.page_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 10 s) for the page's heading to read `heading`.
    pub async fn wait_for_heading(&self, heading: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.text("h1").await.as_deref() == Some(heading) {
                return;
            }
            if Instant::now() > deadline {
                panic!("expected the page {heading:?}, the browser shows:\n{}", self.page_text().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Reloads the page until its heading reads `heading` (up to 10 s): for a page that changes
    /// when background work the last answer left running is done.
    pub async fn refresh_until_heading(&self, heading: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.client.refresh().await.unwrap();
            if self.text("h1").await.as_deref() == Some(heading) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "expected the page {heading:?} after reloading, the browser shows:\n{}",
                    self.page_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to 5 s, frame by frame) for the input with this `id` to have the focus.
    /// Chromium moves the focus to an `autofocus` field in a rendering step after the page has
    /// loaded, so right after `submit()` (a loaded page) the focus may still be on the body.
    pub async fn wait_for_focus(&self, id: &str) {
        let next_frame = "const done = arguments[arguments.length - 1];
            requestAnimationFrame(() => done(document.activeElement ? document.activeElement.id : null));";
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let focused = self.client.execute_async(next_frame, vec![]).await.unwrap();
            if focused == id {
                return;
            }
            assert!(Instant::now() < deadline, "#{id} never got the focus; #{focused} has it");
        }
    }

    /// The rendered text of the first element matching `css`, if there is one.
    pub async fn text(&self, css: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(css)).await.ok()?;
        element.text().await.ok()
    }

    pub async fn page_text(&self) -> String {
        self.text("body").await.unwrap_or_else(|| "(no page)".into())
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
    }
}

/// Starts chromedriver on a port the OS picks (`--port=0`: no race with other tests for it)
/// and reads the port from its banner.
fn spawn_driver() -> (DriverProcess, u16) {
    use std::io::BufRead;
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(CHROMEDRIVER)
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {CHROMEDRIVER} ({e}): install chromium-driver, or run scripts/test.sh")
        });
    let stdout = child.stdout.take().unwrap();
    let driver = DriverProcess(child);
    let (tx, rx) = std::sync::mpsc::channel();
    // Keeps draining stdout afterwards, so chromedriver never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(port) = line.strip_prefix("ChromeDriver was started successfully on port ") {
                let _ = tx.send(port.trim_end_matches('.').parse::<u16>());
            }
        }
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(Ok(port)) => (driver, port),
        other => panic!("chromedriver did not say which port it listens on: {other:?}"),
    }
}

async fn wait_until_ready(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let http = reqwest::Client::new();
    loop {
        if let Ok(response) = http.get(format!("{url}/status")).send().await {
            let body: Value = response.json().await.unwrap_or_default();
            if body["value"]["ready"] == true {
                return;
            }
        }
        assert!(Instant::now() < deadline, "chromedriver at {url} did not become ready in 20 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[derive(Clone, Copy)]
enum Screen {
    Desktop { width: u32, height: u32 },
    Phone { width: u32, height: u32 },
}

fn capabilities(profile: &tempfile::TempDir, screen: Screen) -> Capabilities {
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    let mut options = json!({"binary": CHROMIUM});
    match screen {
        Screen::Desktop { width, height } => args.push(format!("--window-size={width},{height}")),
        Screen::Phone { width, height } => {
            options["mobileEmulation"] = json!({"deviceMetrics": {
                "width": width, "height": height, "pixelRatio": 1.0, "mobile": true, "touch": true}});
        }
    }
    options["args"] = json!(args);
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": options,
        "goog:loggingPrefs": {"browser": "ALL"},
    });
    caps.as_object().cloned().unwrap()
}

/// chromedriver's log endpoint (outside the W3C protocol): entries since the last read.
#[derive(Debug)]
struct BrowserLog;

/// `url::ParseError`, named through reqwest's re-export of `Url` (no extra dependency).
type ParseError = <Url as std::str::FromStr>::Err;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &Url) -> (Method, Option<String>) {
        (Method::POST, Some(json!({"type": "browser"}).to_string()))
    }
}
