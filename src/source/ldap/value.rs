//! An attribute's values as one field of text: Active Directory's binary identifiers in
//! their usual written forms, other values as UTF-8, several values sorted and joined so
//! that the same entry always gives the same field (no change planned from the order a
//! server happens to send them in).

/// `objectGUID`: 16 bytes, shown as AD shows it (the first three groups little-endian).
pub const GUID: &str = "objectGUID";
/// `objectSid`: shown as `S-1-5-21-…`.
pub const SID: &str = "objectSid";

/// The field for `attribute`'s values; `Err` names what is wrong with a value.
pub fn field(attribute: &str, values: &[Vec<u8>], separator: &str) -> Result<String, String> {
    let mut texts = values
        .iter()
        .map(|v| text(attribute, v))
        .collect::<Result<Vec<_>, _>>()?;
    texts.sort_unstable();
    Ok(texts.join(separator))
}

fn text(attribute: &str, value: &[u8]) -> Result<String, String> {
    if attribute.eq_ignore_ascii_case(GUID) {
        return guid(value).ok_or_else(|| format!("{GUID} is {} bytes, not 16", value.len()));
    }
    if attribute.eq_ignore_ascii_case(SID) {
        return sid(value).ok_or_else(|| format!("{SID} is not a valid security identifier"));
    }
    String::from_utf8(value.to_vec()).map_err(|_| {
        format!("{attribute} holds binary data; roster-etl reads text attributes, {GUID} and {SID}")
    })
}

/// `objectGUID` as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub fn guid(b: &[u8]) -> Option<String> {
    let b: &[u8; 16] = b.try_into().ok()?;
    let hex = |bytes: &[u8]| bytes.iter().map(|x| format!("{x:02x}")).collect::<String>();
    Some(format!(
        "{}-{}-{}-{}-{}",
        hex(&[b[3], b[2], b[1], b[0]]),
        hex(&[b[5], b[4]]),
        hex(&[b[7], b[6]]),
        hex(&b[8..10]),
        hex(&b[10..16])
    ))
}

/// `objectSid` as `S-revision-authority-subauthority…`.
pub fn sid(b: &[u8]) -> Option<String> {
    let (&revision, rest) = b.split_first()?;
    let (&count, rest) = rest.split_first()?;
    let (authority, rest) = rest.split_at_checked(6)?;
    if rest.len() != count as usize * 4 {
        return None;
    }
    let authority = authority
        .iter()
        .fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    let mut text = format!("S-{revision}-{authority}");
    for sub in rest.chunks_exact(4) {
        let sub = u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]]);
        text.push_str(&format!("-{sub}"));
    }
    Some(text)
}

/// The `disabled` field from `userAccountControl` (bit 2, ACCOUNTDISABLE): `true`,
/// `false`, or empty when the entry has no such value.
pub fn disabled(account_control: Option<&[Vec<u8>]>) -> Result<String, String> {
    let Some(value) = account_control.and_then(|v| v.first()) else {
        return Ok(String::new());
    };
    let flags: i64 = std::str::from_utf8(value)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .ok_or("userAccountControl is not a number")?;
    Ok((flags & 2 != 0).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_is_written_as_active_directory_writes_it() {
        // The GUID {c7d3a47b-9a34-4b3c-8c5d-2a3f4e5d6c7b} as AD stores it.
        let bytes = [
            0x7b, 0xa4, 0xd3, 0xc7, 0x34, 0x9a, 0x3c, 0x4b, 0x8c, 0x5d, 0x2a, 0x3f, 0x4e, 0x5d,
            0x6c, 0x7b,
        ];
        assert_eq!(
            guid(&bytes).unwrap(),
            "c7d3a47b-9a34-4b3c-8c5d-2a3f4e5d6c7b"
        );
        assert!(guid(&bytes[..15]).is_none());
    }

    #[test]
    fn sid_is_written_in_its_s_form() {
        // S-1-5-21-1-2-3-1104
        let mut bytes = vec![1, 5, 0, 0, 0, 0, 0, 5];
        for sub in [21u32, 1, 2, 3, 1104] {
            bytes.extend_from_slice(&sub.to_le_bytes());
        }
        assert_eq!(sid(&bytes).unwrap(), "S-1-5-21-1-2-3-1104");
        assert!(sid(&bytes[..10]).is_none());
    }

    #[test]
    fn several_values_are_sorted_and_joined() {
        let values = vec![b"smtp:b@x.se".to_vec(), b"SMTP:a@x.se".to_vec()];
        assert_eq!(
            field("proxyAddresses", &values, "|").unwrap(),
            "SMTP:a@x.se|smtp:b@x.se"
        );
        assert_eq!(field("mail", &[], "|").unwrap(), "");
    }

    #[test]
    fn binary_text_is_an_error_naming_the_attribute() {
        let err = field("jpegPhoto", &[vec![0xff, 0xfe]], "|").unwrap_err();
        assert!(err.contains("jpegPhoto holds binary data"), "{err}");
    }

    #[test]
    fn disabled_is_bit_two_of_user_account_control() {
        assert_eq!(disabled(Some(&[b"514".to_vec()])).unwrap(), "true");
        assert_eq!(disabled(Some(&[b"512".to_vec()])).unwrap(), "false");
        assert_eq!(disabled(None).unwrap(), "");
        assert!(disabled(Some(&[b"x".to_vec()])).is_err());
    }
}
