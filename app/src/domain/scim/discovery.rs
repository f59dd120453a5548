//! The discovery documents (RFC 7644 §4): what this server supports
//! (`ServiceProviderConfig`), its resource types and their schemas, which declare
//! only the attributes Gatehouse keeps.

use super::{set, GROUP_SCHEMA, MAX_RESULTS, USER_SCHEMA};
use serde_json::{json, Value};

const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

fn location(base: &str, kind: &str, id: &str) -> Value {
    json!({"resourceType": kind, "location": format!("{base}/{kind}s/{id}")})
}

pub fn service_provider_config(base: &str, docs: &str) -> Value {
    json!({
        "schemas": [SPC_SCHEMA],
        "documentationUri": docs,
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "API key",
            "description": "A Gatehouse API key with the scim scope, from Settings → API keys: Authorization: Bearer gatehouse_…",
            "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")},
    })
}

pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A member of the tenant (userName is the email)",
            "schema": USER_SCHEMA,
            "schemaExtensions": [],
            "meta": location(base, "ResourceType", "User"),
        }),
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "A Gatehouse group: its members get its role templates",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [],
            "meta": location(base, "ResourceType", "Group"),
        }),
    ]
}

struct Attr {
    name: &'static str,
    kind: &'static str,
    multi: bool,
    required: bool,
    mutability: &'static str,
    returned: &'static str,
    uniqueness: &'static str,
    case_exact: bool,
    description: &'static str,
    canonical: &'static [&'static str],
    subs: Vec<Attr>,
}

fn attr(name: &'static str, kind: &'static str, description: &'static str) -> Attr {
    Attr {
        name,
        kind,
        multi: false,
        required: false,
        mutability: "readWrite",
        returned: "default",
        uniqueness: "none",
        case_exact: false,
        description,
        canonical: &[],
        subs: Vec::new(),
    }
}

impl Attr {
    fn json(&self) -> Value {
        let mut v = json!({
            "name": self.name,
            "type": self.kind,
            "multiValued": self.multi,
            "description": self.description,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": self.mutability,
            "returned": self.returned,
            "uniqueness": self.uniqueness,
        });
        if !self.subs.is_empty() {
            set(
                &mut v,
                "subAttributes",
                json!(self.subs.iter().map(Attr::json).collect::<Vec<_>>()),
            );
        }
        if !self.canonical.is_empty() {
            set(&mut v, "canonicalValues", json!(self.canonical));
        }
        if self.kind == "reference" {
            set(&mut v, "referenceTypes", json!(["User"]));
        }
        v
    }
}

fn external_id() -> Attr {
    Attr {
        case_exact: true,
        ..attr("externalId", "string", "The identity provider's id")
    }
}

fn user_attributes() -> Vec<Attr> {
    vec![
        Attr {
            required: true,
            uniqueness: "server",
            ..attr("userName", "string", "The person's email address")
        },
        Attr {
            subs: vec![
                attr("formatted", "string", "The full name"),
                attr("familyName", "string", "The family name"),
                attr("givenName", "string", "The given name"),
            ],
            ..attr("name", "complex", "The person's name")
        },
        attr("displayName", "string", "The name to show"),
        Attr {
            multi: true,
            required: true,
            subs: vec![
                Attr { required: true, ..attr("value", "string", "The email address") },
                Attr { canonical: &["work"], ..attr("type", "string", "work") },
            ],
            ..attr("emails", "complex", "The person's email: Gatehouse keeps one, the one marked primary (else the last work one, else the first), or userName when none is given")
        },
        Attr {
            required: true,
            ..attr("active", "boolean", "false suspends the membership and ends its sessions")
        },
        external_id(),
    ]
}

fn group_attributes() -> Vec<Attr> {
    vec![
        Attr {
            required: true,
            uniqueness: "server",
            ..attr(
                "displayName",
                "string",
                "The group's name, unique in the tenant",
            )
        },
        Attr {
            multi: true,
            subs: vec![
                Attr {
                    mutability: "immutable",
                    case_exact: true,
                    ..attr("value", "string", "The member's User id")
                },
                Attr {
                    mutability: "immutable",
                    ..attr("$ref", "reference", "The member's User")
                },
                Attr {
                    mutability: "immutable",
                    canonical: &["User"],
                    ..attr("type", "string", "User")
                },
            ],
            ..attr("members", "complex", "The group's members (Users)")
        },
        external_id(),
    ]
}

fn schema(base: &str, id: &str, name: &str, description: &str, attributes: &[Attr]) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attributes.iter().map(Attr::json).collect::<Vec<_>>(),
        "meta": location(base, "Schema", id),
    })
}

pub fn schemas(base: &str) -> Vec<Value> {
    vec![
        schema(
            base,
            USER_SCHEMA,
            "User",
            "A member of the tenant",
            &user_attributes(),
        ),
        schema(
            base,
            GROUP_SCHEMA,
            "Group",
            "A Gatehouse group",
            &group_attributes(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_declare_what_is_kept() {
        let spc = service_provider_config("https://g.example/scim/v2", "https://g.example/docs");
        assert_eq!(spc["patch"]["supported"], json!(true));
        assert_eq!(spc["bulk"]["supported"], json!(false));
        let user = &schemas("")[0];
        let names: Vec<&str> = user["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "userName",
                "name",
                "displayName",
                "emails",
                "active",
                "externalId"
            ]
        );
        assert_eq!(resource_types("")[1]["endpoint"], json!("/Groups"));
    }
}
