//! The script that loads the WASM bundle and hydrates the page, started once the
//! server-rendered page has painted.
//!
//! Leptos's `HydrationScripts` also preloads the bundle from `<head>`: on a fast
//! connection the whole bundle then arrives (and runs) before the first paint, and
//! Lighthouse's simulated slow connection counts the page's largest paint as waiting
//! for it (LCP about 3.8 s on a 2-core machine, performance about 88). Here nothing
//! is fetched until the frame after the first paint; links and plain forms work
//! before that, and buttons that need JavaScript show that they wait
//! (`style/main.css`).

use leptos::config::LeptosOptions;
use leptos::prelude::*;

/// Starts hydration after the page's first paint (see the module's documentation).
pub fn hydrate_after_first_paint(options: &LeptosOptions) -> impl IntoView {
    let (js, wasm) = bundle_files(options);
    // Names come from our own build (`hash.txt`); JSON quoting makes them JS strings.
    let quote = |s: String| serde_json::Value::String(s).to_string();
    let script = format!(
        "(function (js, wasm) {{\n\
         const hydrate = () => import(js).then((m) => m.default({{ module_or_path: wasm }}).then(() => m.hydrate()));\n\
         if (document.visibilityState === 'hidden') hydrate();\n\
         else requestAnimationFrame(() => setTimeout(hydrate, 0));\n\
         }})({}, {});",
        quote(js),
        quote(wasm)
    );
    let nonce = leptos::nonce::use_nonce();
    view! { <script type="module" nonce=nonce>{script}</script> }
}

/// The bundle's JS and WASM paths: with content hashes when cargo-leptos's release
/// build wrote them (`hash.txt` beside the server binary), as `HydrationScripts`
/// names them.
fn bundle_files(options: &LeptosOptions) -> (String, String) {
    let (mut js, mut wasm) = (
        options.output_name.to_string(),
        options.output_name.to_string(),
    );
    if options.hash_files {
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
            .and_then(|file| std::fs::read_to_string(file).ok())
            .unwrap_or_default();
        for (file, hash) in hashes.lines().filter_map(|l| l.trim().split_once(':')) {
            match file {
                "js" => js = format!("{js}.{}", hash.trim()),
                "wasm" => wasm = format!("{wasm}.{}", hash.trim()),
                _ => {}
            }
        }
    }
    let pkg = &options.site_pkg_dir;
    (format!("/{pkg}/{js}.js"), format!("/{pkg}/{wasm}.wasm"))
}
