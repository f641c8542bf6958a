//! A real SS12000 v2.1 API: Prism (@stoplight/prism-cli, installed into `.peers/node` by
//! scripts/peers/install.sh) serving the official OpenAPI file from tests/fixtures/ss12000 on
//! a free loopback port, stopped by its PID when the test ends. Prism enforces the file's
//! bearer-token security and answers a request that breaks the file with an error, so every
//! request roster-etl sends is checked against the standard. When Prism is missing the test
//! fails; it is never skipped.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Any token passes Prism's check of the bearer scheme; this one is what tests use.
pub const TOKEN: &str = "ss12000-test-token-0815";

pub struct Prism {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

/// How Prism makes its answers.
#[derive(Clone, Copy)]
pub enum Answers {
    /// Random data valid against the schemas (`-d`): different on every request, and a
    /// `pageToken` in some answers, so paging ends after a random number of pages.
    Dynamic,
    /// The file's own examples and placeholders: the same answer every time.
    Static,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

impl Prism {
    pub fn start(answers: Answers) -> Prism {
        let bin = root().join(".peers/node/node_modules/.bin/prism");
        assert!(
            bin.exists(),
            "{} is missing: run scripts/peers/install.sh",
            bin.display()
        );
        let spec = root().join("tests/fixtures/ss12000/openapi_ss12000_version2_1_0.yaml");
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("prism.log")).unwrap();
        let port = super::free_port();
        let mut cmd = Command::new(&bin);
        cmd.args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()]);
        if let Answers::Dynamic = answers {
            cmd.arg("-d");
        }
        let child = cmd
            .arg(&spec)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let prism = Prism { port, dir, child };
        prism.wait_ready();
        prism
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Prism's own log: every request it got, and what it found wrong with it.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prism.log")).unwrap_or_default()
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.status("/organisations?limit=1") == Some(200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "Prism did not answer on port {} within 60 s; its log:\n{}",
            self.port,
            self.log()
        );
    }

    /// The status of a GET with the test token (a plain HTTP/1.1 request, so the check
    /// does not depend on the client under test).
    fn status(&self, path: &str) -> Option<u16> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).ok()?;
        std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
