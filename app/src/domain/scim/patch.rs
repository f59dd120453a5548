//! SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON: `add`, `replace` and
//! `remove`, with and without `path`, value-filtered paths (`emails[type eq
//! "work"].value`, `members[value eq "7"]`), and the shapes identity providers send:
//! Microsoft Entra's capitalised `Operations` and ops (`"Replace"`), its booleans as
//! strings (`"False"`, read by the typed conversion), its dotted keys in a path-less
//! value (`{"name.givenName": "Ada"}`) and its `remove` of members listed in `value`;
//! Okta's path-less `{"op": "replace", "value": {"active": false}}`.
//!
//! The server applies the operations to the resource as it shows it, then saves the
//! result as a PUT would, so every rule of a full replacement holds for a patch too.

use super::filter::{get_ci, AttrPath, CompareOp, Filter};
use super::{is_core_schema, ScimError, PATCH_OP};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Add,
    Replace,
    Remove,
}

/// `attr[filter].sub`, the target of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter (`emails[…].value`).
    pub sub: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchOp {
    pub op: OpKind,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

impl PatchPath {
    pub fn parse(text: &str) -> Result<PatchPath, ScimError> {
        let text = text.trim();
        let Some(open) = text.find('[') else {
            return Ok(PatchPath {
                attr: AttrPath::parse(text)?,
                filter: None,
                sub: None,
            });
        };
        let close = text
            .rfind(']')
            .filter(|c| *c > open)
            .ok_or_else(|| ScimError::invalid_path(format!("“{text}” has no closing ].")))?;
        let attr = AttrPath::parse(&text[..open])?;
        if attr.sub.is_some() {
            return Err(ScimError::invalid_path(format!(
                "“{text}”: a value filter follows the attribute, not its sub-attribute."
            )));
        }
        let filter =
            Filter::parse(&text[open + 1..close]).map_err(|e| ScimError::invalid_path(e.detail))?;
        let sub = match &text[close + 1..] {
            "" => None,
            rest => {
                let name = rest.strip_prefix('.').ok_or_else(|| {
                    ScimError::invalid_path(format!("“{text}”: write .subAttribute after the ]."))
                })?;
                Some(AttrPath::parse(name)?.attr)
            }
        };
        Ok(PatchPath {
            attr,
            filter: Some(filter),
            sub,
        })
    }

    /// The attribute's own key in the resource (or in its extension object).
    fn sub_name(&self) -> Option<&str> {
        self.sub.as_deref().or(self.attr.sub.as_deref())
    }
}

/// The operations of a PATCH body, or a sentence naming what is wrong with it.
pub fn parse_request(body: &Value) -> Result<Vec<PatchOp>, ScimError> {
    let schemas_ok = get_ci(body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(PATCH_OP)));
    if !schemas_ok {
        return Err(ScimError::invalid_syntax(format!(
            "A PATCH body lists the schema {PATCH_OP}."
        )));
    }
    let ops = get_ci(body, "Operations")
        .and_then(Value::as_array)
        .filter(|ops| !ops.is_empty())
        .ok_or_else(|| ScimError::invalid_syntax("A PATCH body has a list of Operations."))?;
    ops.iter()
        .map(|op| {
            let kind = match get_ci(op, "op")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("add") => OpKind::Add,
                Some("replace") => OpKind::Replace,
                Some("remove") => OpKind::Remove,
                _ => {
                    return Err(ScimError::invalid_syntax(
                        "Each operation's op is add, replace or remove.",
                    ))
                }
            };
            let path = match get_ci(op, "path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) if p.trim().is_empty() => None,
                Some(Value::String(p)) => Some(PatchPath::parse(p)?),
                Some(_) => return Err(ScimError::invalid_path("An operation's path is a string.")),
            };
            let value = get_ci(op, "value").cloned();
            if kind != OpKind::Remove && value.is_none() {
                return Err(ScimError::invalid_value(
                    "An add or replace operation carries a value.",
                ));
            }
            if kind == OpKind::Remove && path.is_none() {
                return Err(ScimError::no_target("A remove operation names a path."));
            }
            Ok(PatchOp {
                op: kind,
                path,
                value,
            })
        })
        .collect()
}

/// Applies `ops` to `resource` in order.
pub fn apply(resource: &mut Value, ops: &[PatchOp]) -> Result<(), ScimError> {
    for op in ops {
        match (&op.path, op.op) {
            (Some(path), _) => apply_at(resource, path, op.op, op.value.as_ref())?,
            (None, OpKind::Remove) => {
                return Err(ScimError::no_target("A remove operation names a path."))
            }
            (None, kind) => {
                let Some(Value::Object(fields)) = &op.value else {
                    return Err(ScimError::invalid_value(
                        "Without a path, the value is an object of attributes.",
                    ));
                };
                for (key, value) in fields {
                    match value {
                        // An extension's attributes, given as its object.
                        Value::Object(inner) if key.contains(':') && !is_core_schema(key) => {
                            for (k, v) in inner {
                                let path = PatchPath::parse(&format!("{key}:{k}"))?;
                                apply_at(resource, &path, kind, Some(v))?;
                            }
                        }
                        _ => apply_at(resource, &PatchPath::parse(key)?, kind, Some(value))?,
                    }
                }
            }
        }
    }
    Ok(())
}

/// The object the path's attribute lives in (an extension's object, made if missing).
fn container_mut<'a>(
    resource: &'a mut Value,
    path: &AttrPath,
) -> Result<&'a mut Map<String, Value>, ScimError> {
    let root = resource
        .as_object_mut()
        .ok_or_else(|| ScimError::invalid_value("The resource is not an object."))?;
    match &path.schema {
        Some(urn) if !is_core_schema(urn) => {
            let key = key_ci(root, urn).unwrap_or_else(|| urn.clone());
            object_at(root, key)
        }
        _ => Ok(root),
    }
}

/// The object at `map[key]`, made (in place of anything else) when missing.
fn object_at(
    map: &mut Map<String, Value>,
    key: String,
) -> Result<&mut Map<String, Value>, ScimError> {
    let slot = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
        .ok_or_else(|| ScimError::invalid_value("The resource is not an object."))
}

/// The array at `map[key]`, made when missing.
fn array_at<'a>(map: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Vec<Value>> {
    let slot = map
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if slot.is_null() {
        *slot = Value::Array(Vec::new());
    }
    slot.as_array_mut()
}

/// The key of `object` equal to `key` but for case.
fn key_ci(object: &Map<String, Value>, key: &str) -> Option<String> {
    object.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}

fn same_element(a: &Value, b: &Value) -> bool {
    match (get_ci(a, "value"), get_ci(b, "value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn apply_at(
    resource: &mut Value,
    path: &PatchPath,
    op: OpKind,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let container = container_mut(resource, &path.attr)?;
    let key = key_ci(container, &path.attr.attr).unwrap_or_else(|| path.attr.attr.clone());

    if let Some(filter) = &path.filter {
        return apply_filtered(container, &key, filter, path.sub.as_deref(), op, value);
    }
    if let Some(sub) = path.sub_name() {
        // `name.givenName`: the sub-attribute of a complex attribute.
        let parent = object_at(container, key)?;
        let sub_key = key_ci(parent, sub).unwrap_or_else(|| sub.to_string());
        match op {
            OpKind::Remove => {
                parent.remove(&sub_key);
            }
            _ => {
                parent.insert(sub_key, value.cloned().unwrap_or(Value::Null));
            }
        }
        return Ok(());
    }
    match op {
        OpKind::Remove => match (value, container.get_mut(&key)) {
            // Entra: remove the members listed in value.
            (Some(listed), Some(Value::Array(items))) => {
                let listed: Vec<&Value> = match listed {
                    Value::Array(l) => l.iter().collect(),
                    one => vec![one],
                };
                items.retain(|item| !listed.iter().any(|l| same_element(item, l)));
            }
            _ => {
                container.remove(&key);
            }
        },
        OpKind::Add => {
            let value = value.cloned().unwrap_or(Value::Null);
            match (container.get_mut(&key), value) {
                (Some(Value::Array(items)), Value::Array(new)) => {
                    for v in new {
                        if !items.iter().any(|i| same_element(i, &v)) {
                            items.push(v);
                        }
                    }
                }
                (Some(Value::Array(items)), v) => {
                    if !items.iter().any(|i| same_element(i, &v)) {
                        items.push(v);
                    }
                }
                (Some(Value::Object(existing)), Value::Object(new)) => existing.extend(new),
                (_, v) => {
                    container.insert(key, v);
                }
            }
        }
        OpKind::Replace => {
            let value = value.cloned().unwrap_or(Value::Null);
            match (container.get_mut(&key), value) {
                (Some(Value::Object(existing)), Value::Object(new)) => existing.extend(new),
                (_, v) => {
                    container.insert(key, v);
                }
            }
        }
    }
    Ok(())
}

fn apply_filtered(
    container: &mut Map<String, Value>,
    key: &str,
    filter: &Filter,
    sub: Option<&str>,
    op: OpKind,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    if op == OpKind::Remove && !matches!(container.get(key), Some(Value::Array(_))) {
        return Ok(());
    }
    let Some(items) = array_at(container, key) else {
        return Err(ScimError::invalid_path(format!(
            "{key} is not multi-valued: write the path without a filter."
        )));
    };
    let hits: Vec<bool> = items.iter().map(|item| filter.matches(item)).collect();
    match op {
        OpKind::Remove => {
            if let Some(sub) = sub {
                for (item, _) in items.iter_mut().zip(&hits).filter(|(_, hit)| **hit) {
                    if let Value::Object(o) = item {
                        if let Some(k) = key_ci(o, sub) {
                            o.remove(&k);
                        }
                    }
                }
            } else {
                let mut hit = hits.iter();
                items.retain(|_| !hit.next().copied().unwrap_or(false));
            }
        }
        OpKind::Add | OpKind::Replace => {
            let value = value.cloned().unwrap_or(Value::Null);
            if !hits.contains(&true) {
                // Entra adds (or replaces) `emails[type eq "work"].value` on a person who
                // has no work email yet: the element the filter describes is made.
                let Some(Filter::Compare(p, CompareOp::Eq, pinned)) = Some(filter) else {
                    return Err(ScimError::no_target("No value matches the path's filter."));
                };
                let mut element = Map::new();
                element.insert(p.attr.clone(), pinned.clone());
                match (sub, value) {
                    (Some(sub), v) => {
                        element.insert(sub.to_string(), v);
                    }
                    (None, Value::Object(o)) => element.extend(o),
                    (None, _) => {
                        return Err(ScimError::invalid_value(
                            "The value of a filtered path without a sub-attribute is an object.",
                        ))
                    }
                }
                items.push(Value::Object(element));
                return Ok(());
            }
            for (item, _) in items.iter_mut().zip(&hits).filter(|(_, hit)| **hit) {
                match (sub, item, &value) {
                    (Some(sub), Value::Object(o), v) => {
                        let k = key_ci(o, sub).unwrap_or_else(|| sub.to_string());
                        o.insert(k, v.clone());
                    }
                    (None, Value::Object(o), Value::Object(new)) if op == OpKind::Add => {
                        o.extend(new.clone())
                    }
                    (None, item, v) => *item = v.clone(),
                    (Some(_), _, _) => {
                        return Err(ScimError::invalid_path(
                            "That attribute has no sub-attributes.",
                        ))
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "7",
            "userName": "ada@example.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "active": true,
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}]
        })
    }

    #[allow(clippy::needless_pass_by_value)]
    fn patched(mut resource: Value, body: Value) -> Value {
        let ops = parse_request(&body).unwrap();
        apply(&mut resource, &ops).unwrap();
        resource
    }

    #[allow(clippy::needless_pass_by_value)]
    fn body(ops: Value) -> Value {
        json!({"schemas": [PATCH_OP], "Operations": ops})
    }

    #[test]
    fn entra_user_updates() {
        // Entra: capitalised ops, booleans as strings, filtered email paths.
        let r = patched(
            user(),
            body(json!([
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "ada@engines.example"},
                {"op": "Replace", "path": "name.familyName", "value": "Byron"},
                {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Engines"},
                {"op": "Replace", "path": "externalId", "value": "e-1"}
            ])),
        );
        assert_eq!(r["active"], json!("False"));
        assert_eq!(r["emails"][0]["value"], json!("ada@engines.example"));
        assert_eq!(r["emails"].as_array().unwrap().len(), 1);
        assert_eq!(r["name"]["familyName"], json!("Byron"));
        assert_eq!(
            r["name"]["givenName"],
            json!("Ada"),
            "the other sub-attribute stays"
        );
        assert_eq!(
            r["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
            json!("Engines")
        );
        assert_eq!(r["externalId"], json!("e-1"));
    }

    #[test]
    fn pathless_values_okta_and_entra() {
        let r = patched(
            user(),
            body(json!([{"op": "replace", "value": {"active": false}}])),
        );
        assert_eq!(r["active"], json!(false));
        let r = patched(
            user(),
            body(
                json!([{"op": "Replace", "value": {"name.givenName": "Augusta", "displayName": "Augusta Ada"}}]),
            ),
        );
        assert_eq!(r["name"]["givenName"], json!("Augusta"));
        assert_eq!(r["name"]["familyName"], json!("Lovelace"));
        assert_eq!(r["displayName"], json!("Augusta Ada"));
        let r = patched(
            user(),
            body(json!([{"op": "add", "value": {"name": {"formatted": "Ada L."}}}])),
        );
        assert_eq!(r["name"]["formatted"], json!("Ada L."));
        assert_eq!(
            r["name"]["givenName"],
            json!("Ada"),
            "a complex value merges"
        );
    }

    #[test]
    fn missing_filtered_element_is_made() {
        let mut u = user();
        u.as_object_mut().unwrap().remove("emails");
        let r = patched(
            u,
            body(
                json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "a@b.example"}]),
            ),
        );
        assert_eq!(
            r["emails"],
            json!([{"type": "work", "value": "a@b.example"}])
        );
    }

    #[test]
    fn group_members_every_shape() {
        let group = json!({"displayName": "Support", "members": [{"value": "1"}, {"value": "2"}]});
        // Add: appended once each.
        let r = patched(
            group.clone(),
            body(
                json!([{"op": "Add", "path": "members", "value": [{"value": "2"}, {"value": "3"}]}]),
            ),
        );
        assert_eq!(
            r["members"],
            json!([{"value": "1"}, {"value": "2"}, {"value": "3"}])
        );
        // Okta / RFC: remove by filter.
        let r = patched(
            group.clone(),
            body(json!([{"op": "remove", "path": "members[value eq \"1\"]"}])),
        );
        assert_eq!(r["members"], json!([{"value": "2"}]));
        // Entra: remove the members listed in value.
        let r = patched(
            group.clone(),
            body(json!([{"op": "Remove", "path": "members", "value": [{"value": "2"}]}])),
        );
        assert_eq!(r["members"], json!([{"value": "1"}]));
        // Remove them all.
        let r = patched(
            group.clone(),
            body(json!([{"op": "remove", "path": "members"}])),
        );
        assert!(r.get("members").is_none());
        // Replace them all, and the name.
        let r = patched(
            group,
            body(json!([
                {"op": "replace", "path": "members", "value": [{"value": "9"}]},
                {"op": "Replace", "path": "displayName", "value": "Help desk"}
            ])),
        );
        assert_eq!(r["members"], json!([{"value": "9"}]));
        assert_eq!(r["displayName"], json!("Help desk"));
    }

    #[test]
    fn bad_bodies_are_refused_with_their_type() {
        let cases = [
            (
                json!({"Operations": [{"op": "add", "path": "x", "value": 1}]}),
                "invalidSyntax",
            ),
            (body(json!([])), "invalidSyntax"),
            (
                body(json!([{"op": "move", "path": "x", "value": 1}])),
                "invalidSyntax",
            ),
            (body(json!([{"op": "add", "path": "x"}])), "invalidValue"),
            (body(json!([{"op": "remove"}])), "noTarget"),
            (
                body(json!([{"op": "add", "path": "emails[type eq ", "value": 1}])),
                "invalidPath",
            ),
            (
                body(json!([{"op": "add", "path": "a.b.c", "value": 1}])),
                "invalidPath",
            ),
        ];
        for (b, kind) in cases {
            let e = parse_request(&b).unwrap_err();
            assert_eq!(e.scim_type.as_deref(), Some(kind), "{b}");
        }
        let ops = parse_request(&body(json!([{"op": "add", "value": 3}]))).unwrap();
        assert_eq!(
            apply(&mut user(), &ops).unwrap_err().scim_type.as_deref(),
            Some("invalidValue")
        );
    }
}
