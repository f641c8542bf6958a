//! A real Active Directory domain controller for the LDAP tests: Samba AD DC, provisioned
//! offline in a temporary folder (a few seconds), filled with entries by `ldbadd`, and
//! started on 127.0.0.1. Samba always listens on the fixed ports 389 (LDAP, StartTLS) and
//! 636 (LDAPS), so one test binary starts one instance for all its tests and stops it by
//! its PID; an instance a killed run left behind is stopped first (by the PID it recorded).
//! When Samba is missing the tests fail; they are never skipped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const REALM: &str = "ad.example.se";
pub const BASE: &str = "DC=ad,DC=example,DC=se";
/// A service account that only reads (an ordinary domain user, as in production).
pub const SERVICE_ACCOUNT: &str = "svc-roster@ad.example.se";
pub const SERVICE_PASSWORD: &str = "Svc-Roster-Passw0rd!";
const ADMIN_PASSWORD: &str = "Test-Adm1n-Passw0rd!";
const SAMBA: &str = "/usr/sbin/samba";

pub struct Samba {
    pub dir: tempfile::TempDir,
    /// The CA that signed the directory's TLS certificate (PEM).
    pub ca: PathBuf,
    child: Child,
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed for the LDAP tests (scripts/peers/install.sh installs Samba AD DC): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Where the running instance's PID is kept between test runs.
fn pid_file() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("samba-ad-dc.pid")
}

impl Samba {
    /// Provisions a domain, adds `ldif` (entries below [`BASE`]) and starts the server.
    pub fn start(ldif: &str) -> Samba {
        assert!(
            Path::new(SAMBA).exists(),
            "{SAMBA} is missing: run scripts/peers/install.sh (Debian samba-ad-dc)"
        );
        stop_stale();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let certs = super::tls::make(d);
        std::fs::set_permissions(
            &certs.key,
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        let target = format!("--targetdir={}", d.display());
        let log = format!("--option=log file = {}/samba.log", d.display());
        run(
            "samba-tool",
            &[
                "domain",
                "provision",
                &target,
                "--realm=AD.EXAMPLE.SE",
                "--domain=SCHOOL",
                "--server-role=dc",
                "--dns-backend=NONE",
                &format!("--adminpass={ADMIN_PASSWORD}"),
                "--host-ip=127.0.0.1",
                "--option=interfaces = lo",
                "--option=bind interfaces only = yes",
                "--option=server services = ldap",
                &log,
            ],
        );
        let conf = d.join("etc/smb.conf");
        let text = std::fs::read_to_string(&conf).unwrap();
        // Simple binds over plain ldap:// are refused by default (as on Windows); the tests
        // use all three: plain, StartTLS and LDAPS, with a certificate for 127.0.0.1.
        let global = format!(
            "[global]\n\tldap server require strong auth = no\n\ttls enabled = yes\n\
             \ttls keyfile = {}\n\ttls certfile = {}\n\ttls cafile = {}\n",
            certs.key.display(),
            certs.cert.display(),
            certs.ca.display()
        );
        std::fs::write(&conf, text.replacen("[global]\n", &global, 1)).unwrap();
        let sam = format!("ldb://{}/private/sam.ldb", d.display());
        let conf_arg = conf.to_string_lossy().into_owned();
        let user = SERVICE_ACCOUNT.split('@').next().unwrap();
        run(
            "samba-tool",
            &[
                "user",
                "create",
                user,
                SERVICE_PASSWORD,
                "-H",
                &sam,
                "-s",
                &conf_arg,
            ],
        );
        let ldif_path = d.join("entries.ldif");
        std::fs::write(&ldif_path, ldif).unwrap();
        run("ldbadd", &["-H", &sam, &ldif_path.to_string_lossy()]);
        let out = std::fs::File::create(d.join("samba.out")).unwrap();
        let child = Command::new(SAMBA)
            .args(["-s", &conf_arg, "--foreground", "--no-process-group"])
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
        std::fs::write(pid_file(), child.id().to_string()).unwrap();
        let mut samba = Samba {
            ca: certs.ca,
            dir,
            child,
        };
        samba.wait_ready();
        samba
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("Samba exited ({status}):\n{}", self.log());
            }
            let up = [389u16, 636]
                .iter()
                .all(|p| TcpStream::connect(("127.0.0.1", *p)).is_ok());
            if up {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "Samba did not listen on 127.0.0.1:389 and :636 within 60 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn log(&self) -> String {
        let d = self.dir.path();
        let mut text = std::fs::read_to_string(d.join("samba.out")).unwrap_or_default();
        text += &std::fs::read_to_string(d.join("samba.log")).unwrap_or_default();
        text
    }

    /// Samba's own tool, run offline against the database, for facts checked independently
    /// of roster-etl (an entry's objectGUID as Samba writes it).
    pub fn tool(&self, args: &[&str]) -> String {
        let d = self.dir.path();
        let sam = format!("ldb://{}/private/sam.ldb", d.display());
        let conf = d.join("etc/smb.conf").to_string_lossy().into_owned();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-H", &sam, "-s", &conf]);
        run("samba-tool", &all)
    }

    /// Stops the server by its PID (SIGTERM, which stops its worker processes too).
    pub fn stop(&mut self) {
        terminate(self.child.id());
        let _ = self.child.wait();
        let _ = std::fs::remove_file(pid_file());
    }
}

impl Drop for Samba {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

fn terminate(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}

/// Stops an instance a previous, killed run left running (only if that PID is Samba).
fn stop_stale() {
    let Ok(pid) = std::fs::read_to_string(pid_file()) else {
        return;
    };
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", pid.trim())).unwrap_or_default();
    if String::from_utf8_lossy(&cmdline).contains("samba") {
        if let Ok(pid) = pid.trim().parse::<u32>()
            && pid > 1
        {
            terminate(pid);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", 389)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let _ = std::fs::remove_file(pid_file());
}
