//! A connection to the directory, encrypted as configured, and bound as the service account.

use super::LdapOptions;
use super::failure::Failure;
use crate::load::{ProcessEnv, interpolate_secret};
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Connects and binds. The password is resolved from its reference only now.
pub async fn bound(options: &LdapOptions) -> Result<Ldap, Failure> {
    let password = interpolate_secret(&options.password, &ProcessEnv)?;
    let tls = crate::net::client_config(options.ca_file.as_deref().map(Path::new))?;
    let timeout = Duration::from_secs(options.timeout_secs.max(1));
    let settings = LdapConnSettings::new()
        .set_conn_timeout(timeout)
        .set_config(Arc::new(tls))
        .set_starttls(options.starttls);
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &options.url)
        .await
        .map_err(Failure::connect)?;
    tokio::spawn(async move {
        // The connection's errors reach the operations waiting on it.
        let _ = conn.drive().await;
    });
    ldap.with_timeout(timeout)
        .simple_bind(&options.bind_dn, &password)
        .await
        .and_then(|r| r.success())
        .map_err(Failure::bind)?;
    Ok(ldap)
}
