use super::args::map_text;
use super::ascii_fold::fold;
use super::signature::*;

pub const SLUG: Function = Function {
    name: "slug",
    summary: "An e-mail local part from a name: lower case, folded to ASCII, spaces as `.`, apostrophes \
              dropped, other characters than a-z, 0-9, `.` and `-` removed.",
    params: &[param("text", Ty::Str)],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::Never,
    call: |args, _| Ok(map_text(&args[0], slug)),
    examples: &[Example {
        expr: r#"slug("Anna-Karin O'Hara Åström")"#,
        result: r#""anna-karin.ohara.astrom""#,
    }],
};

pub fn slug(text: &str) -> String {
    let folded = fold(&text.trim().to_lowercase());
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            'a'..='z' | '0'..='9' | '-' => out.push(c),
            ' ' | '.' if !out.ends_with('.') && !out.is_empty() => out.push('.'),
            _ => {}
        }
    }
    out.trim_end_matches('.').to_string()
}
