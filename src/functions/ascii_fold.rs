use super::args::map_text;
use super::signature::*;

pub const ASCII_FOLD: Function = Function {
    name: "ascii_fold",
    summary: "Folds Nordic and common accented letters to ASCII: å ä → a, ö ø → o, æ → ae, é → e, ü → u.",
    params: &[param("text", Ty::Str)],
    variadic: false,
    returns: Ty::Str,
    fallible: Fallible::Never,
    call: |args, _| Ok(map_text(&args[0], fold)),
    examples: &[Example {
        expr: r#"ascii_fold("Åsa Bærø Müller-Lindé")"#,
        result: r#""Asa Baero Muller-Linde""#,
    }],
};

/// The folding itself (also used by `slug`).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'å' | 'ä' | 'á' | 'à' | 'â' | 'ã' => out.push('a'),
            'Å' | 'Ä' | 'Á' | 'À' | 'Â' | 'Ã' => out.push('A'),
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => out.push('o'),
            'Ö' | 'Ø' | 'Ó' | 'Ò' | 'Ô' | 'Õ' => out.push('O'),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("AE"),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'É' | 'È' | 'Ê' | 'Ë' => out.push('E'),
            'ü' | 'ú' | 'ù' | 'û' => out.push('u'),
            'Ü' | 'Ú' | 'Ù' | 'Û' => out.push('U'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'Í' | 'Ì' | 'Î' | 'Ï' => out.push('I'),
            'ç' => out.push('c'),
            'ñ' => out.push('n'),
            'ß' => out.push_str("ss"),
            other => out.push(other),
        }
    }
    out
}
