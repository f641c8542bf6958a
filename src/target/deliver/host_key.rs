//! The server's host key must be in the configured known_hosts file: roster-etl never
//! trusts a server on first use, and a changed key stops the delivery.

use russh::keys::PublicKey;
use std::path::Path;

/// What the host-key check found, kept for the error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyVerdict {
    Known,
    Unknown { fingerprint: String },
    Changed { line: usize, fingerprint: String },
    Unreadable(String),
}

pub fn check(host: &str, port: u16, key: &PublicKey, known_hosts: &Path) -> HostKeyVerdict {
    let fingerprint = key.fingerprint(russh::keys::HashAlg::Sha256).to_string();
    if !known_hosts.exists() {
        return HostKeyVerdict::Unreadable(format!(
            "the known_hosts file {} does not exist",
            known_hosts.display()
        ));
    }
    match russh::keys::check_known_hosts_path(host, port, key, known_hosts) {
        Ok(true) => HostKeyVerdict::Known,
        Ok(false) => HostKeyVerdict::Unknown { fingerprint },
        Err(russh::keys::Error::KeyChanged { line }) => {
            HostKeyVerdict::Changed { line, fingerprint }
        }
        Err(e) => HostKeyVerdict::Unreadable(format!(
            "cannot read the known_hosts file {}: {e}",
            known_hosts.display()
        )),
    }
}

impl HostKeyVerdict {
    /// The message and hint for a refused host key.
    pub fn explain(&self, host: &str, port: u16, known_hosts: &Path) -> (String, String) {
        let entry = if port == 22 {
            host.to_string()
        } else {
            format!("[{host}]:{port}")
        };
        match self {
            HostKeyVerdict::Known => (String::new(), String::new()),
            HostKeyVerdict::Unknown { fingerprint } => (
                format!("the SFTP server's host key ({fingerprint}) is not in {}", known_hosts.display()),
                format!("check the fingerprint with the server's owner, then add it: `ssh-keyscan -p {port} {host} >> {}` (the entry is `{entry}`)", known_hosts.display()),
            ),
            HostKeyVerdict::Changed { line, fingerprint } => (
                format!(
                    "the SFTP server's host key changed: it is now {fingerprint}, which does not match line {line} of {}",
                    known_hosts.display()
                ),
                "a changed host key can mean the server was reinstalled or that someone is in between; ask the server's owner before you replace the line".to_string(),
            ),
            HostKeyVerdict::Unreadable(why) => (
                why.clone(),
                "set `known_hosts:` to a file with the server's key (`ssh-keyscan` prints it)".to_string(),
            ),
        }
    }
}
