//! A real OAuth 2.0 token server: node-oidc-provider (`oidc-provider` on npm, installed into
//! `.peers/node` by scripts/peers/install.sh), run by tests/fixtures/oauth2/token-server.mjs
//! on a free loopback port with one client allowed the client-credentials grant, and
//! stopped by its PID when the test ends. When it is missing the test fails.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CLIENT_ID: &str = "roster-etl";
pub const CLIENT_SECRET: &str = "client-secret-for-tests";
pub const SCOPE: &str = "ss12000:read";

pub struct TokenServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

impl TokenServer {
    /// Starts the server; its tokens live `ttl_secs`.
    pub fn start(ttl_secs: u64) -> TokenServer {
        let package = root().join(".peers/node/node_modules/oidc-provider");
        assert!(
            package.join("lib/index.js").exists(),
            "{} is missing: run scripts/peers/install.sh",
            package.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("token-server.log")).unwrap();
        let port = super::free_port();
        let child = Command::new("node")
            .arg(root().join("tests/fixtures/oauth2/token-server.mjs"))
            .arg(port.to_string())
            .arg(&package)
            .env("TOKEN_TTL", ttl_secs.to_string())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start node for the token server: {e}"));
        let server = TokenServer { port, dir, child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !server.log().contains("ready") {
            assert!(
                Instant::now() < deadline,
                "the token server did not start:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
        server
    }

    pub fn token_url(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// One line per token issued (`token issued: TOKEN`) or refused (`token refused: why`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("token-server.log")).unwrap_or_default()
    }

    /// The tokens issued so far, in order.
    pub fn issued(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter_map(|l| l.strip_prefix("token issued: "))
            .map(str::to_string)
            .collect()
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
