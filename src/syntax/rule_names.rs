//! What users see instead of grammar rule names (Tera's exhaustive rename).

use super::parser::Rule;

pub fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the file",
        Rule::WHITESPACE | Rule::COMMENT => "a space or comment",
        Rule::standalone => "an expression",
        Rule::file | Rule::block => "an entity block such as `person from system.dataset as p ...`",
        Rule::entity | Rule::ident_raw => "a name",
        Rule::source_ref => "`system.dataset as alias`",
        Rule::dataset_name => "a dataset name `system.dataset`",
        Rule::alias => "an alias",
        Rule::join_clause | Rule::join_kind | Rule::left_join | Rule::inner_join => {
            "`join` or `left join`"
        }
        Rule::first_by => "`first by`",
        Rule::merge_decl => "`merge entity { field = rule ... }`",
        Rule::merge_rule => "a merge rule `field = min`",
        Rule::merge_how => "a merge rule (`min`, `max`, `first`, `union` or `prefer(...)`)",
        Rule::kw_merge => "`merge`",
        Rule::order_item => "an expression to order by",
        Rule::where_clause => "`where`",
        Rule::key_clause => "`key`",
        Rule::assignment => "a field assignment `name = expression`",
        Rule::expr | Rule::postfix_term | Rule::primary => "an expression",
        Rule::infix => "an operator",
        Rule::prefix => "`not` or `-`",
        Rule::literal => "a value",
        Rule::ident_char => "a letter or digit",
        Rule::keyword => "a keyword",
        Rule::op_coalesce => "`??`",
        Rule::op_or => "`or`",
        Rule::op_and => "`and`",
        Rule::op_eq => "`==`",
        Rule::op_ne => "`!=`",
        Rule::op_le => "`<=`",
        Rule::op_ge => "`>=`",
        Rule::op_lt => "`<`",
        Rule::op_gt => "`>`",
        Rule::op_add => "`+`",
        Rule::op_sub => "`-`",
        Rule::op_mul => "`*`",
        Rule::op_div => "`/`",
        Rule::op_not => "`not`",
        Rule::op_neg => "`-`",
        Rule::if_expr => "`if`",
        Rule::call | Rule::call_name => "a function call",
        Rule::abort_mark => "`(` to call a function or `.` to name a field",
        Rule::call_args | Rule::argument => "an argument",
        Rule::field => "a field `alias.column`",
        Rule::date_lit => "a date",
        Rule::duration_lit => "a number of days like `30d`",
        Rule::number_lit => "a number",
        Rule::string_lit | Rule::string_inner => "a string",
        Rule::bool_lit => "`true` or `false`",
        Rule::null_lit => "`null`",
        Rule::name | Rule::plain_name | Rule::quoted_name | Rule::quoted_inner => "a name",
        Rule::kw_from => "`from`",
        Rule::kw_as => "`as`",
        Rule::kw_left => "`left`",
        Rule::kw_join => "`join`",
        Rule::kw_on => "`on`",
        Rule::kw_where => "`where`",
        Rule::kw_key => "`key`",
        Rule::kw_if => "`if`",
        Rule::kw_else => "`else`",
        Rule::kw_first => "`first`",
        Rule::kw_by => "`by`",
        Rule::kw_desc => "`desc`",
    }
}

/// "`a`, `b` or `c`", without repeats.
pub fn describe_all(rules: &[Rule]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for rule in rules {
        let name = describe(*rule);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.len() {
        0 => "something else".to_string(),
        1 => names[0].to_string(),
        n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
    }
}
