//! Keeps the backend's shape: ui → api → backend/<feature> → backend/kernel → domain.
//!
//! Reads the `crate::…` and `super::…` paths of every file under `src/backend` and
//! fails when the backend imports `api` or `ui`, when a kernel module (or the
//! entities and migrations) imports a feature, when a feature imports another
//! feature, or when the module graph has a circle.

#![allow(clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Feature folders of the backend; everything else under `backend/` is shared.
const FEATURES: &[&str] = &[
    "api_keys",
    "account",
    "audit",
    "auth",
    "diagnostics",
    "groups",
    "members",
    "templates",
    "tenant",
];

/// The graph node a module path belongs to: a feature as a whole, a kernel module
/// by itself, or the entities / migrations; `None` for the backend root.
fn node_of(path: &[&str]) -> Option<String> {
    match path {
        ["kernel", module, ..] => Some(format!("kernel::{module}")),
        ["kernel"] => None,
        [first, ..] => Some((*first).to_string()),
        [] => None,
    }
}

/// The module path of a file below `backend/` (`kernel/actor.rs` → `kernel::actor`).
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Every `crate::x::y` or `super::…` path in a source text, resolved to an absolute
/// path below the crate root (`["backend", "kernel", "actor"]`, `["api"]`, …).
fn references(source: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = find_path_start(rest) {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            let path: Vec<&str> = tail[..end].split("::").filter(|s| !s.is_empty()).collect();
            // `use crate::backend::{members::x, kernel::y}`: each item of the group is
            // a path of its own.
            let group: Vec<String> = if tail[end..].starts_with('{') {
                let close = tail[end..].find('}').map_or(tail.len(), |c| end + c);
                tail[end + 1..close]
                    .split(',')
                    .map(|item| item.trim().split(" as ").next().unwrap_or("").to_string())
                    .filter(|item| !item.is_empty() && item != "self")
                    .collect()
            } else {
                Vec::new()
            };
            rest = &tail[end.max(1)..];
            let mut absolute: Vec<String> = Vec::new();
            let mut segments = path.iter().peekable();
            if segments.peek() == Some(&&"crate") {
                segments.next();
            } else {
                // `super::` climbs from this module (a mod.rs file is its folder's module).
                absolute.push("backend".into());
                absolute.extend(module.iter().cloned());
                while segments.peek() == Some(&&"super") {
                    segments.next();
                    absolute.pop();
                }
            }
            absolute.extend(segments.map(|s| s.to_string()));
            for item in &group {
                let mut each = absolute.clone();
                each.extend(item.split("::").map(str::to_string));
                found.push(each);
            }
            found.push(absolute);
        }
    }
    found
}

fn find_path_start(text: &str) -> Option<usize> {
    let mut best: Option<usize> = None;
    for needle in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(needle) {
            let at = from + i;
            let before = text[..at].chars().last();
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                best = Some(best.map_or(at, |b| b.min(at)));
                break;
            }
            from = at + needle.len();
        }
    }
    best
}

/// The rule a reference from `from` to `to` breaks, if any.
fn violation(from: &str, to_path: &[String]) -> Option<String> {
    match to_path.first().map(String::as_str) {
        Some("api") | Some("ui") => {
            return Some(format!(
                "backend module {from} imports {}",
                to_path.join("::")
            ))
        }
        Some("backend") => {}
        _ => return None,
    }
    let rest: Vec<&str> = to_path[1..].iter().map(String::as_str).collect();
    let to = node_of(&rest)?;
    let from_is_feature = FEATURES.contains(&from);
    let to_is_feature = FEATURES.contains(&to.as_str());
    if to_is_feature && from != to {
        if from_is_feature {
            return Some(format!("feature {from} imports feature {to}"));
        }
        return Some(format!("{from} (shared) imports feature {to}"));
    }
    None
}

/// The first circle in a graph, as a list of nodes, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(node, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

/// Checks a set of backend files (path below `backend/` → source); answers every
/// problem found.
fn check(files: &BTreeMap<PathBuf, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (relative, source) in files {
        let module = module_of(relative);
        let parts: Vec<&str> = module.iter().map(String::as_str).collect();
        let Some(from) = node_of(&parts) else {
            continue;
        };
        for to_path in references(source, &module) {
            if let Some(problem) = violation(&from, &to_path) {
                problems.push(format!("{}: {problem}", relative.display()));
            }
            if to_path.first().map(String::as_str) == Some("backend") {
                let rest: Vec<&str> = to_path[1..].iter().map(String::as_str).collect();
                if let Some(to) = node_of(&rest) {
                    if to != from {
                        edges.entry(from.clone()).or_default().insert(to);
                    }
                }
            }
        }
    }
    if let Some(cycle) = find_cycle(&edges) {
        problems.push(format!(
            "the backend's modules form a circle: {}",
            cycle.join(" → ")
        ));
    }
    problems
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.map(|e| e.path()).unwrap_or_default();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found
}

fn backend_files() -> BTreeMap<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/backend");
    rust_files(&root)
        .into_iter()
        .map(|path| {
            let source = std::fs::read_to_string(&path).unwrap_or_default();
            let relative = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
            (relative, source)
        })
        .collect()
}

#[test]
fn backend_module_graph_keeps_its_shape() {
    let files = backend_files();
    assert!(files.len() > 20, "found only {} backend files", files.len());
    for feature in FEATURES {
        assert!(
            files.keys().any(|p| p.starts_with(feature)),
            "feature folder backend/{feature} is missing"
        );
    }
    let problems = check(&files);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn ui_never_imports_the_backend() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    for path in rust_files(&root) {
        let source = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            !source.contains("crate::backend"),
            "{} imports the backend",
            path.display()
        );
    }
}

fn files(entries: &[(&str, &str)]) -> BTreeMap<PathBuf, String> {
    entries
        .iter()
        .map(|(p, s)| (PathBuf::from(p), s.to_string()))
        .collect()
}

#[test]
fn the_check_finds_each_kind_of_problem() {
    let clean = files(&[
        ("kernel/actor.rs", "use super::directory::membership_of;"),
        (
            "kernel/directory.rs",
            "use crate::backend::entities::accounts;",
        ),
        (
            "members/edit.rs",
            "use super::{parse_email_field};\nuse crate::backend::kernel::actor::Actor;",
        ),
        ("members/mod.rs", "pub use edit::update;"),
        (
            "auth/sign_in.rs",
            "use crate::backend::kernel::directory::find_account_by_email;",
        ),
    ]);
    assert_eq!(check(&clean), Vec::<String>::new());

    let to_api = files(&[("members/list.rs", "use crate::api::members::MemberPage;")]);
    assert!(check(&to_api)[0].contains("imports api"));

    let kernel_to_feature = files(&[(
        "kernel/credentials.rs",
        "let x = crate::backend::auth::sign_in::refused();",
    )]);
    assert!(check(&kernel_to_feature)[0].contains("imports feature auth"));

    let grouped = files(&[(
        "kernel/actor.rs",
        "use crate::backend::{entities::accounts, members::list};",
    )]);
    assert!(check(&grouped)[0].contains("imports feature members"));

    let feature_to_feature = files(&[("account/password.rs", "use super::super::auth::recovery;")]);
    assert!(check(&feature_to_feature)[0].contains("feature account imports feature auth"));

    let circle = files(&[
        ("kernel/actor.rs", "use super::policy::require;"),
        (
            "kernel/policy.rs",
            "use crate::backend::kernel::actor::Actor;",
        ),
    ]);
    let problems = check(&circle);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("circle"), "{problems:?}");
}
