//! `LIKE` patterns for text people type: their `%`, `_` and `\` are taken literally.

use sea_orm::sea_query::LikeExpr;

/// `%text%` (`anywhere`) or `text%`, wildcards in `text` escaped with `\`.
fn pattern(text: &str, anywhere: bool) -> LikeExpr {
    let mut escaped = String::with_capacity(text.len() + 2);
    if anywhere {
        escaped.push('%');
    }
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    LikeExpr::new(escaped).escape('\\')
}

/// Text containing `part`.
pub fn containing(part: &str) -> LikeExpr {
    pattern(part, true)
}

/// Text starting with `part`.
pub fn starting_with(part: &str) -> LikeExpr {
    pattern(part, false)
}
