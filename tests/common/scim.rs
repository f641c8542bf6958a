//! A real SCIM 2.0 server (scim2-server from PyPI, installed into `.peers/venv` by
//! scripts/peers/install.sh) on a free loopback port, stopped by its PID when the test ends.
//! When it is missing the test fails; it is never skipped.

use roster_etl::net::{Backoff, Http, HttpSettings};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "scim-test-token-4711";

pub struct ScimServer {
    pub port: u16,
    pub dir: tempfile::TempDir,
    /// Served over TLS with a certificate of this CA.
    pub ca: Option<PathBuf>,
    child: Child,
}

fn binary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".peers/venv/bin/scim2-server")
}

impl ScimServer {
    pub fn start() -> ScimServer {
        Self::start_with(&[])
    }

    /// Starts the server with extra arguments (e.g. `--service-provider-config FILE`).
    pub fn start_with(extra: &[&str]) -> ScimServer {
        let dir = tempfile::tempdir().unwrap();
        Self::launch(Command::new(binary()), dir, None, extra)
    }

    /// The same server over TLS, with a certificate signed by a test CA (`self.ca`).
    pub fn start_tls() -> ScimServer {
        let dir = tempfile::tempdir().unwrap();
        let certs = super::tls::make(dir.path());
        let python = binary().with_file_name("python");
        let launcher =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls/scim2-server-tls.py");
        let mut cmd = Command::new(python);
        cmd.arg(launcher).arg(&certs.cert).arg(&certs.key);
        Self::launch(cmd, dir, Some(certs.ca), &[])
    }

    fn launch(
        mut cmd: Command,
        dir: tempfile::TempDir,
        ca: Option<PathBuf>,
        extra: &[&str],
    ) -> ScimServer {
        let bin = binary();
        assert!(
            bin.exists(),
            "{} is missing: run scripts/peers/install.sh",
            bin.display()
        );
        let port = super::free_port();
        let child = cmd
            .args(["--hostname", "127.0.0.1", "--port", &port.to_string()])
            .args(["--bearer-token", TOKEN])
            .args(extra)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let server = ScimServer {
            port,
            dir,
            ca,
            child,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.try_get("/ServiceProviderConfig").is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "scim2-server did not answer on port {} within 20 s",
            self.port
        );
    }

    pub fn url(&self) -> String {
        let scheme = if self.ca.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}/v2", self.port)
    }

    fn try_get(&self, path: &str) -> Result<Value, String> {
        self.request(reqwest::Method::GET, path, None)
    }

    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let http = Http::new(HttpSettings {
            base: &self.url(),
            auth: roster_etl::net::Auth::Bearer(TOKEN.to_string()),
            timeout: Duration::from_secs(5),
            ca_file: self.ca.as_deref(),
            backoff: Backoff {
                retries: 0,
                ..Backoff::default()
            },
            content_type: "application/scim+json",
        })
        .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime
            .block_on(http.send(method, path, body.as_ref()))
            .map(|r| r.body)
            .map_err(|e| e.to_string())
    }

    /// Every resource of a type (`Users`, `Groups`), by externalId (or userName when it has
    /// none), without the server's bookkeeping (`id`, `meta`) and with members as externalIds.
    pub fn resources(&self, kind: &str) -> std::collections::BTreeMap<String, Value> {
        let page = self.try_get(&format!("/{kind}?count=10000")).unwrap();
        let users = self.try_get("/Users?count=10000").unwrap();
        let name_of = |id: &str| {
            users["Resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["id"] == id)
                .map_or(format!("(unknown {id})"), |u| {
                    u["externalId"].as_str().unwrap_or("?").to_string()
                })
        };
        let mut out = std::collections::BTreeMap::new();
        for r in page["Resources"].as_array().cloned().unwrap_or_default() {
            let mut r = r.clone();
            let key = r["externalId"]
                .as_str()
                .or(r["userName"].as_str())
                .unwrap()
                .to_string();
            let obj = r.as_object_mut().unwrap();
            obj.remove("id");
            obj.remove("meta");
            if let Some(members) = obj.get_mut("members") {
                let mut names: Vec<String> = members
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| name_of(m["value"].as_str().unwrap()))
                    .collect();
                names.sort();
                *members = serde_json::json!(names);
            }
            out.insert(key, r);
        }
        out
    }

    /// The server's id of every resource of a type, by externalId, and how many resources
    /// there are (more than ids when two share an externalId: a duplicate account).
    pub fn ids(&self, kind: &str) -> (std::collections::BTreeMap<String, String>, usize) {
        let page = self.try_get(&format!("/{kind}?count=10000")).unwrap();
        let all = page["Resources"].as_array().cloned().unwrap_or_default();
        let ids = all
            .iter()
            .map(|r| {
                let key = r["externalId"].as_str().or(r["userName"].as_str()).unwrap();
                (key.to_string(), r["id"].as_str().unwrap().to_string())
            })
            .collect();
        (ids, all.len())
    }

    /// Deletes every User and Group: the server as new, without starting another.
    pub fn clear(&self) {
        for kind in ["Groups", "Users"] {
            for id in self.ids(kind).0.values() {
                self.request(reqwest::Method::DELETE, &format!("/{kind}/{id}"), None)
                    .unwrap();
            }
            assert_eq!(self.ids(kind).1, 0, "{kind} cleared");
        }
    }

    /// The pipeline lines of a SCIM target on this server.
    pub fn target(&self, extra: &str) -> String {
        self.target_at(&self.url(), extra)
    }

    /// The same target reached through `url` (a fault proxy in front of this server).
    pub fn target_at(&self, url: &str, extra: &str) -> String {
        format!(
            "targets:\n  skolon:\n    type: scim-2.0\n    scim:\n      url: {url}\n      token: ${{SCIM_TOKEN}}\n{extra}"
        )
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ScimServer {
    fn drop(&mut self) {
        self.stop();
    }
}
