//! SCIM filters (RFC 7644 §3.4.2.2) and attribute paths, parsed into a tree and
//! evaluated against a resource's JSON as the server shows it.
//!
//! Operators: `eq ne co sw ew gt ge lt le pr`, `and`, `or`, `not (…)`, parentheses
//! and value paths (`emails[type eq "work" and value co "@acme.com"]`); attribute
//! paths may carry a schema URN (`urn:…:User:userName`) and one sub-attribute
//! (`name.givenName`, `meta.lastModified`). Keywords and attribute names are
//! case-insensitive; string values compare case-insensitively except for the
//! case-exact attributes (`id`, `externalId`, `meta.*`); dates compare as instants.

use super::ScimError;
use serde_json::Value;
use std::cmp::Ordering;

/// An attribute path: `[urn:…:]attr[.sub]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN, when one was written (`urn:ietf:params:scim:schemas:core:2.0:User`).
    pub schema: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare(AttrPath, CompareOp, Value),
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`: some element of the multi-valued `attr` matches `filter`.
    ValuePath(AttrPath, Box<Filter>),
}

impl AttrPath {
    /// Reads `[urn:…:]attr[.sub]` (no brackets).
    pub fn parse(text: &str) -> Result<AttrPath, ScimError> {
        let bad = || ScimError::invalid_path(format!("“{text}” is not an attribute path."));
        let (schema, rest) = match text.rfind(':') {
            Some(i) => (Some(text[..i].to_string()), &text[i + 1..]),
            None => (None, text),
        };
        let mut parts = rest.split('.');
        let attr = parts.next().filter(|a| is_name(a)).ok_or_else(bad)?;
        let sub = match parts.next() {
            Some(s) if is_name(s) => Some(s.to_string()),
            Some(_) => return Err(bad()),
            None => None,
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(AttrPath {
            schema,
            attr: attr.to_string(),
            sub,
        })
    }

    /// The resource object this path reads from: an extension schema's own object,
    /// or the resource itself.
    fn container<'a>(&self, resource: &'a Value) -> Option<&'a Value> {
        match &self.schema {
            Some(urn) if !super::is_core_schema(urn) => get_ci(resource, urn),
            _ => Some(resource),
        }
    }

    /// Every value this path names in `resource`: a multi-valued attribute gives each
    /// element (its `value` when the elements are objects and no sub-attribute is named).
    pub fn values<'a>(&self, resource: &'a Value) -> Vec<&'a Value> {
        let Some(top) = self.container(resource).and_then(|c| get_ci(c, &self.attr)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut push = |v: &'a Value| match (&self.sub, v) {
            (Some(sub), Value::Object(_)) => out.extend(get_ci(v, sub)),
            (Some(_), _) => {}
            (None, Value::Object(_)) if get_ci(v, "value").is_some() => {
                out.extend(get_ci(v, "value"))
            }
            (None, other) => out.push(other),
        };
        match top {
            Value::Array(items) => items.iter().for_each(&mut push),
            other => push(other),
        }
        out
    }

    fn case_exact(&self) -> bool {
        let a = self.attr.to_ascii_lowercase();
        a == "id"
            || a == "externalid"
            || a == "meta"
            || (a == "members" && self.sub.is_none())
            || self
                .sub
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("value") && a == "members")
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `object[key]` with the key matched case-insensitively.
pub fn get_ci<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
    object
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Value(Value),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
}

fn tokenize(text: &str) -> Result<Vec<Token>, ScimError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            '[' => tokens.push(Token::OpenBracket),
            ']' => tokens.push(Token::CloseBracket),
            '"' => {
                let mut literal = String::from('"');
                let mut closed = false;
                while let Some(c) = chars.next() {
                    literal.push(c);
                    match c {
                        '\\' => literal.extend(chars.next()),
                        '"' => {
                            closed = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if !closed {
                    return Err(ScimError::invalid_filter(
                        "A string in the filter has no closing quote.",
                    ));
                }
                let value: String = serde_json::from_str(&literal).map_err(|_| {
                    ScimError::invalid_filter(format!("{literal} is not a valid string."))
                })?;
                tokens.push(Token::Value(Value::String(value)));
            }
            _ => {
                let mut word = String::from(c);
                while let Some(next) =
                    chars.next_if(|n| !n.is_whitespace() && !"()[]\"".contains(*n))
                {
                    word.push(next);
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, ScimError> {
        if self.keyword("not") {
            self.at += 1;
            if self.next() != Some(Token::Open) {
                return Err(ScimError::invalid_filter(
                    "Write “not” before a parenthesised filter: not (…).",
                ));
            }
            let inner = self.or()?;
            self.close(Token::Close, ")")?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or()?;
            self.close(Token::Close, ")")?;
            return Ok(inner);
        }
        self.attribute_expression()
    }

    fn close(&mut self, token: Token, shown: &str) -> Result<(), ScimError> {
        if self.next() == Some(token) {
            Ok(())
        } else {
            Err(ScimError::invalid_filter(format!(
                "A “{shown}” is missing in the filter."
            )))
        }
    }

    fn attribute_expression(&mut self) -> Result<Filter, ScimError> {
        let Some(Token::Word(word)) = self.next() else {
            return Err(ScimError::invalid_filter("The filter should start with an attribute, such as userName eq \"ada@example.com\"."));
        };
        let path = AttrPath::parse(&word).map_err(|e| ScimError::invalid_filter(e.detail))?;
        if self.peek() == Some(&Token::OpenBracket) {
            self.at += 1;
            let inner = self.or()?;
            self.close(Token::CloseBracket, "]")?;
            return Ok(Filter::ValuePath(path, Box::new(inner)));
        }
        let Some(Token::Word(op)) = self.next() else {
            return Err(ScimError::invalid_filter(format!(
                "An operator (eq, co, sw, pr, …) should follow {word}."
            )));
        };
        let op = match op.to_ascii_lowercase().as_str() {
            "pr" => return Ok(Filter::Present(path)),
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            _ => {
                return Err(ScimError::invalid_filter(format!(
                "“{op}” is not a filter operator. Use eq, ne, co, sw, ew, gt, ge, lt, le or pr."
            )))
            }
        };
        let value = match self.next() {
            Some(Token::Value(v)) => v,
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => serde_json::from_str::<serde_json::Number>(&w)
                    .map(Value::Number)
                    .map_err(|_| {
                        ScimError::invalid_filter(format!(
                            "“{w}” is not a value: put strings in double quotes."
                        ))
                    })?,
            },
            _ => {
                return Err(ScimError::invalid_filter(format!(
                    "A value should follow {word} {}.",
                    op_word(op)
                )))
            }
        };
        Ok(Filter::Compare(path, op, value))
    }
}

fn op_word(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "eq",
        CompareOp::Ne => "ne",
        CompareOp::Co => "co",
        CompareOp::Sw => "sw",
        CompareOp::Ew => "ew",
        CompareOp::Gt => "gt",
        CompareOp::Ge => "ge",
        CompareOp::Lt => "lt",
        CompareOp::Le => "le",
    }
}

/// The longest filter read (longer is refused).
pub const MAX_FILTER_CHARS: usize = 4096;

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, ScimError> {
        if text.len() > MAX_FILTER_CHARS {
            return Err(ScimError::invalid_filter("The filter is too long."));
        }
        let mut parser = Parser {
            tokens: tokenize(text)?,
            at: 0,
        };
        let filter = parser.or()?;
        if parser.at != parser.tokens.len() {
            return Err(ScimError::invalid_filter(
                "The filter has more after its end; join conditions with and / or.",
            ));
        }
        Ok(filter)
    }

    /// Whether `resource` (or a multi-valued attribute's element) matches.
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(resource) && b.matches(resource),
            Filter::Or(a, b) => a.matches(resource) || b.matches(resource),
            Filter::Not(f) => !f.matches(resource),
            Filter::Present(path) => path.values(resource).iter().any(|v| present(v)),
            Filter::Compare(path, op, expected) => {
                let exact = path.case_exact();
                let found = path.values(resource);
                if *op == CompareOp::Ne {
                    return !found
                        .iter()
                        .any(|v| compare(v, CompareOp::Eq, expected, exact));
                }
                if expected.is_null() && *op == CompareOp::Eq {
                    return !found.iter().any(|v| present(v));
                }
                found.iter().any(|v| compare(v, *op, expected, exact))
            }
            Filter::ValuePath(path, inner) => {
                let Some(top) = path.container(resource).and_then(|c| get_ci(c, &path.attr)) else {
                    return false;
                };
                match top {
                    Value::Array(items) => items.iter().any(|item| inner.matches(item)),
                    item => inner.matches(item),
                }
            }
        }
    }

    /// The value this filter pins `attr` to, when it is `attr eq "value"` alone or one
    /// side of an `and` (the database narrows by it before the full evaluation).
    pub fn pinned(&self, attr: &str) -> Option<String> {
        match self {
            Filter::Compare(path, CompareOp::Eq, Value::String(s))
                if path.sub.is_none()
                    && path.attr.eq_ignore_ascii_case(attr)
                    && path.schema.as_deref().is_none_or(super::is_core_schema) =>
            {
                Some(s.clone())
            }
            Filter::And(a, b) => a.pinned(attr).or_else(|| b.pinned(attr)),
            _ => None,
        }
    }
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn compare(found: &Value, op: CompareOp, expected: &Value, exact: bool) -> bool {
    match (found, expected) {
        (Value::String(f), Value::String(e)) => {
            if matches!(
                op,
                CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
            ) {
                let ord = match (instant(f), instant(e)) {
                    (Some(a), Some(b)) => a.cmp(&b),
                    _ if exact => f.cmp(e),
                    _ => f.to_lowercase().cmp(&e.to_lowercase()),
                };
                return ordered(ord, op);
            }
            let (f, e) = if exact {
                (f.clone(), e.clone())
            } else {
                (f.to_lowercase(), e.to_lowercase())
            };
            match op {
                CompareOp::Eq => f == e,
                CompareOp::Co => f.contains(&e),
                CompareOp::Sw => f.starts_with(&e),
                CompareOp::Ew => f.ends_with(&e),
                _ => false,
            }
        }
        (Value::Number(f), Value::Number(e)) => {
            let (Some(f), Some(e)) = (f.as_f64(), e.as_f64()) else {
                return false;
            };
            match op {
                CompareOp::Eq => f == e,
                _ => f.partial_cmp(&e).is_some_and(|ord| ordered(ord, op)),
            }
        }
        (Value::Bool(f), Value::Bool(e)) => op == CompareOp::Eq && f == e,
        // `active eq "true"`, as some providers send.
        (Value::Bool(f), Value::String(e)) => {
            op == CompareOp::Eq && e.eq_ignore_ascii_case(&f.to_string())
        }
        _ => false,
    }
}

fn ordered(ord: Ordering, op: CompareOp) -> bool {
    match op {
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        _ => false,
    }
}

fn instant(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ada() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "42",
            "externalId": "AbC-1",
            "userName": "Ada@Example.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "active": true,
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
            "meta": {"lastModified": "2026-12-03T10:00:00Z", "resourceType": "User"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Engines"}
        })
    }

    fn yes(f: &str) -> bool {
        Filter::parse(f).unwrap().matches(&ada())
    }

    #[test]
    fn every_operator_and_case_rule() {
        assert!(
            yes(r#"userName eq "ada@example.com""#),
            "userName is not case-exact"
        );
        assert!(yes(r#"USERNAME Eq "ADA@EXAMPLE.COM""#));
        assert!(!yes(r#"externalId eq "abc-1""#), "externalId is case-exact");
        assert!(yes(r#"externalId eq "AbC-1""#));
        assert!(yes(r#"userName ne "bob@example.com""#));
        assert!(yes(r#"userName co "example""#));
        assert!(yes(r#"userName sw "ada@""#));
        assert!(yes(r#"userName ew ".COM""#));
        assert!(yes("name.givenName pr"));
        assert!(!yes("displayName pr"));
        assert!(yes("active eq true"));
        assert!(!yes("active eq false"));
        assert!(yes(r#"meta.lastModified gt "2026-12-03T09:59:59Z""#));
        assert!(
            yes(r#"meta.lastModified gt "2026-12-03T11:59:00+02:00""#),
            "compared as instants"
        );
        assert!(!yes(r#"meta.lastModified lt "2026-12-03T10:00:00Z""#));
        assert!(yes(r#"meta.lastModified le "2026-12-03T10:00:00Z""#));
        assert!(yes(r#"meta.lastModified ge "2026-12-03T10:00:00Z""#));
    }

    #[test]
    fn logic_grouping_paths_and_uris() {
        assert!(yes(r#"userName eq "x" or name.familyName eq "lovelace""#));
        assert!(!yes(
            r#"userName eq "x" or name.familyName eq "x" and active eq true"#
        ));
        assert!(yes(
            r#"(userName eq "x" or name.familyName eq "lovelace") and active eq true"#
        ));
        assert!(yes(r#"not (userName eq "x")"#));
        assert!(!yes(r#"not(userName co "ada")"#));
        assert!(yes(r#"emails[type eq "work" and value co "@example.com"]"#));
        assert!(!yes(r#"emails[type eq "home"]"#));
        assert!(
            yes(r#"emails co "ada@""#),
            "a complex multi-valued attribute compares its value"
        );
        assert!(yes(r#"emails.type eq "work""#));
        assert!(yes(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ada@example.com""#
        ));
        assert!(yes(
            r#"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "ada""#
        ));
        assert!(yes(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "engines""#
        ));
    }

    #[test]
    fn bad_filters_say_what_is_wrong() {
        for bad in [
            "",
            "userName",
            r#"userName eq"#,
            r#"userName is "x""#,
            r#"userName eq "x"#,
            r#"userName eq x"#,
            r#"(userName eq "x""#,
            r#"userName eq "x" userName eq "y""#,
            r#"not userName eq "x""#,
            r#"emails[type eq "work""#,
            r#"9name eq "x""#,
            r#"name.given.name eq "x""#,
        ] {
            let e = Filter::parse(bad).unwrap_err();
            assert_eq!(e.scim_type.as_deref(), Some("invalidFilter"), "{bad}");
            assert!(!e.detail.is_empty());
        }
    }

    #[test]
    fn pinned_values_narrow_the_search() {
        let f = Filter::parse(r#"userName eq "ada@example.com" and active eq true"#).unwrap();
        assert_eq!(f.pinned("userName").as_deref(), Some("ada@example.com"));
        assert_eq!(f.pinned("externalId"), None);
        let f = Filter::parse(r#"userName eq "a" or userName eq "b""#).unwrap();
        assert_eq!(f.pinned("userName"), None, "an or pins nothing");
    }
}
