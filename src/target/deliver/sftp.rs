//! Upload by SFTP (russh and russh-sftp, pure Rust): connect with a timeout, check the host
//! key against the configured known_hosts file, log in with a key file or a password (read
//! from its `${...}` reference only now), then put each file under a temporary name and
//! rename it into place, so the receiver never reads a half-written file.

use super::host_key::{self, HostKeyVerdict};
use crate::diagnostic::{Code, Diag};
use crate::load::{ProcessEnv, interpolate_secret};
use crate::target::{OutFile, SftpOptions};
use russh::client;
use russh::keys::{PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh_sftp::client::SftpSession;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// What a session does once logged in.
enum Job<'f> {
    Upload(&'f [OutFile]),
    /// Only check that the remote folder exists (`etl validate --connect`).
    Probe,
}

/// Uploads `files` to the server. Errors name the target, the server and what to check;
/// they never contain the password.
pub fn upload(target: &str, options: &SftpOptions, files: &[OutFile]) -> Result<(), Diag> {
    run(target, options, Job::Upload(files))
}

/// Connects, checks the host key, logs in and checks that the remote folder exists, without
/// writing anything.
pub fn probe(target: &str, options: &SftpOptions) -> Result<(), Diag> {
    run(target, options, Job::Probe)
}

fn run(target: &str, options: &SftpOptions, job: Job) -> Result<(), Diag> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            fail(
                target,
                options,
                format!("cannot start the network runtime: {e}"),
                "",
            )
        })?;
    let timeout = Duration::from_secs(options.timeout_secs.max(1));
    runtime.block_on(async {
        match tokio::time::timeout(timeout * 4, session(target, options, job, timeout)).await {
            Ok(result) => result,
            Err(_) => Err(fail(
                target,
                options,
                format!(
                    "the session did not finish within {} s",
                    timeout.as_secs() * 4
                ),
                "the server is slow or stalled; state is unchanged, so the next run uploads again",
            )),
        }
    })
}

async fn session(
    target: &str,
    options: &SftpOptions,
    job: Job<'_>,
    timeout: Duration,
) -> Result<(), Diag> {
    let (handle, sftp) = connect(target, options, timeout).await?;
    let done = match job {
        Job::Upload(files) => {
            let mut result = Ok(());
            for file in files {
                result = put(&sftp, options, file).await;
                if result.is_err() {
                    break;
                }
            }
            result.map_err(|e| fail(target, options, e, "check that the folder exists and the user may write to it; state is unchanged, so the next run uploads again"))
        }
        Job::Probe => check_dir(&sftp, options)
            .await
            .map_err(|e| fail(target, options, e, "create the folder or correct `dir:`")),
    };
    let _ = sftp.close().await;
    let _ = handle
        .disconnect(russh::Disconnect::ByApplication, "", "en")
        .await;
    done
}

async fn check_dir(sftp: &SftpSession, options: &SftpOptions) -> Result<(), String> {
    let dir = remote_dir(options);
    match sftp.metadata(dir.to_string()).await {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(format!("`{dir}` on the server is not a folder")),
        Err(e) => Err(format!("cannot see the folder `{dir}`: {e}")),
    }
}

fn remote_dir(options: &SftpOptions) -> &str {
    let dir = options.dir.trim_end_matches('/');
    if dir.is_empty() { "." } else { dir }
}

async fn connect(
    target: &str,
    options: &SftpOptions,
    timeout: Duration,
) -> Result<(client::Handle<HostCheck>, SftpSession), Diag> {
    let verdict = Arc::new(Mutex::new(None));
    let handler = HostCheck {
        host: options.host.clone(),
        port: options.port,
        known_hosts: PathBuf::from(&options.known_hosts),
        verdict: verdict.clone(),
    };
    let config = Arc::new(client::Config {
        inactivity_timeout: Some(timeout),
        ..Default::default()
    });
    let address = (options.host.as_str(), options.port);
    let connected = tokio::time::timeout(timeout, client::connect(config, address, handler)).await;
    let mut handle = match connected {
        Err(_) => {
            return Err(fail(
                target,
                options,
                format!("no answer within {} s", timeout.as_secs()),
                "check the host and port, and that a firewall lets the connection through",
            ));
        }
        Ok(Err(e)) => {
            let found = verdict.lock().ok().and_then(|v| v.clone());
            return Err(match found {
                Some(v) if v != HostKeyVerdict::Known => {
                    let (message, hint) = v.explain(
                        &options.host,
                        options.port,
                        &PathBuf::from(&options.known_hosts),
                    );
                    fail(target, options, message, &hint)
                }
                _ => fail(
                    target,
                    options,
                    format!("cannot connect: {e}"),
                    "check the host and port, and that the SFTP server is running",
                ),
            });
        }
        Ok(Ok(handle)) => handle,
    };
    login(target, options, &mut handle).await?;
    let channel = handle
        .channel_open_session()
        .await
        .map_err(|e| fail(target, options, format!("cannot open a session: {e}"), ""))?;
    channel
        .request_subsystem(true, "sftp")
        .await
        .map_err(|e| fail(target, options, format!("the server refused SFTP: {e}"), ""))?;
    let sftp = SftpSession::new(channel.into_stream())
        .await
        .map_err(|e| fail(target, options, format!("cannot start SFTP: {e}"), ""))?;
    sftp.set_timeout(timeout.as_secs().max(1));
    Ok((handle, sftp))
}

async fn login(
    target: &str,
    options: &SftpOptions,
    handle: &mut client::Handle<HostCheck>,
) -> Result<(), Diag> {
    let user = options.user.clone();
    let result = if let Some(path) = &options.key_file {
        let key = russh::keys::load_secret_key(path, None).map_err(|e| {
            fail(
                target,
                options,
                format!("cannot read the key file {path}: {e}"),
                "`key_file:` must be an OpenSSH private key without a passphrase, readable by the user running etl",
            )
        })?;
        let hash = handle
            .best_supported_rsa_hash()
            .await
            .ok()
            .flatten()
            .flatten();
        handle
            .authenticate_publickey(user, PrivateKeyWithHashAlg::new(Arc::new(key), hash))
            .await
    } else {
        let reference = options.password.as_deref().unwrap_or("");
        let password = interpolate_secret(reference, &ProcessEnv).map_err(|why| {
            fail(
                target,
                options,
                why,
                "set the variable or create the file the password reference names",
            )
        })?;
        handle.authenticate_password(user, password).await
    };
    match result {
        Ok(r) if r.success() => Ok(()),
        Ok(_) => Err(fail(
            target,
            options,
            format!(
                "the server did not accept the credentials of `{}`",
                options.user
            ),
            "check the user name and the key (its public half must be in the server's authorized_keys) or the password",
        )),
        Err(e) => Err(fail(target, options, format!("login failed: {e}"), "")),
    }
}

/// Sends a staged file in pieces, never whole in memory (the reads are short and local).
/// An error says which side failed: the staged file here or the file on the server.
async fn copy(
    file: &OutFile,
    remote: &mut (impl AsyncWriteExt + Unpin),
    remote_path: &str,
) -> Result<(), String> {
    use std::io::Read;
    let local_error =
        |e: std::io::Error| format!("cannot read the staged file {}: {e}", file.path.display());
    let mut local = std::fs::File::open(&file.path).map_err(local_error)?;
    let mut piece = vec![0; 1 << 16];
    loop {
        let n = local.read(&mut piece).map_err(local_error)?;
        if n == 0 {
            return Ok(());
        }
        remote
            .write_all(&piece[..n])
            .await
            .map_err(|e| format!("cannot write {remote_path}: {e}"))?;
    }
}

/// Writes one file under a temporary name, then renames it into place.
async fn put(sftp: &SftpSession, options: &SftpOptions, file: &OutFile) -> Result<(), String> {
    let dir = remote_dir(options);
    let final_path = format!("{dir}/{}", file.name);
    let temp_path = format!("{dir}/.{}.part-{}", file.name, std::process::id());
    let mut remote = sftp
        .create(temp_path.clone())
        .await
        .map_err(|e| format!("cannot create {temp_path}: {e}"))?;
    copy(file, &mut remote, &temp_path).await?;
    remote
        .shutdown()
        .await
        .map_err(|e| format!("cannot close {temp_path}: {e}"))?;
    // SFTP v3 renames refuse an existing name, so the old file goes first.
    if sftp.try_exists(final_path.clone()).await.unwrap_or(false) {
        sftp.remove_file(final_path.clone())
            .await
            .map_err(|e| format!("cannot replace {final_path}: {e}"))?;
    }
    sftp.rename(temp_path.clone(), final_path.clone())
        .await
        .map_err(|e| format!("cannot rename {temp_path} to {final_path}: {e}"))
}

fn fail(target: &str, options: &SftpOptions, message: String, hint: &str) -> Diag {
    let diag = Diag::error(
        Code::DeliveryFailed,
        format!(
            "target `{target}`: SFTP to {}@{}:{}: {message}",
            options.user, options.host, options.port
        ),
    );
    if hint.is_empty() {
        diag.help("state is unchanged, so the next run delivers again")
    } else {
        diag.help(hint.to_string())
    }
}

/// Checks the server's host key and remembers the verdict for the error message.
struct HostCheck {
    host: String,
    port: u16,
    known_hosts: PathBuf,
    verdict: Arc<Mutex<Option<HostKeyVerdict>>>,
}

impl client::Handler for HostCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_public_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let verdict = match server_public_key {
            PublicKeyOrCertificate::PublicKey { key, .. } => {
                host_key::check(&self.host, self.port, key, &self.known_hosts)
            }
            PublicKeyOrCertificate::Certificate(_) => HostKeyVerdict::Unreadable(
                "the server presents a host certificate; roster-etl checks plain host keys against known_hosts".to_string(),
            ),
        };
        let known = verdict == HostKeyVerdict::Known;
        if let Ok(mut slot) = self.verdict.lock() {
            *slot = Some(verdict);
        }
        Ok(known)
    }
}
