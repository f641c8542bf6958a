//! A real SMTP server (aiosmtpd from PyPI, installed into `.peers/venv` by
//! scripts/peers/install.sh) on a free loopback port. It keeps every message it is given in
//! a Maildir; the messages are read back with Python's own `email` parser. When it is
//! missing the test fails; it is never skipped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

/// One message as the server got it, decoded.
#[derive(Debug, serde::Deserialize)]
pub struct Mail {
    pub from: String,
    pub to: String,
    pub subject: String,
    /// The `text/plain` part.
    pub text: String,
    /// The `text/html` part.
    pub html: String,
}

/// Prints each Maildir message as one JSON line, its parts decoded, in the order received.
const READ_MAILDIR: &str = r#"
import email, email.policy, json, os, sys
new = os.path.join(sys.argv[1], "new")
for name in sorted(os.listdir(new), key=lambda n: os.stat(os.path.join(new, n)).st_mtime_ns):
    with open(os.path.join(new, name), "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    part = lambda t: next((p.get_content() for p in m.walk() if p.get_content_type() == t), "")
    print(json.dumps({"from": str(m["From"]), "to": str(m["To"]), "subject": str(m["Subject"]),
                      "text": part("text/plain"), "html": part("text/html")}))
"#;

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let python = super::peer_python();
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("Maildir");
        let port = super::free_port();
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start aiosmtpd: {e}"));
        let server = SmtpServer { port, dir, child };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("aiosmtpd did not listen on port {} within 20 s", self.port);
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        let maildir = self.dir.path().join("Maildir");
        if !maildir.join("new").exists() {
            return Vec::new();
        }
        super::run_peer_python(READ_MAILDIR, &[&maildir])
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
