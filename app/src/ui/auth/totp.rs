//! Setting up an authenticator app, and showing recovery codes once.

use leptos::prelude::*;

/// The QR code and the secret to connect an authenticator app.
#[component]
pub fn TotpSetupView(setup: crate::domain::auth::TotpSetup) -> impl IntoView {
    let size = setup.qr_size + 8;
    view! {
        <div class="totp-setup">
            <svg
                class="qr"
                role="img"
                aria-label="QR code to scan with your authenticator app"
                viewBox=format!("-4 -4 {size} {size}")
                width="200"
                height="200"
                shape-rendering="crispEdges"
            >
                <rect x="-4" y="-4" width=size.to_string() height=size.to_string() fill="#fff" />
                <path d=setup.qr_path fill="#000" />
            </svg>
            <div>
                <ol class="steps">
                    <li>"Open your authenticator app and add an account."</li>
                    <li>"Scan the QR code, or type this key:"</li>
                </ol>
                <p><code class="secret" data-testid="totp-secret">{setup.secret}</code></p>
                <p class="muted">"Time-based, 6 digits, every 30 seconds."</p>
                <ol class="steps" start="3">
                    <li>"Enter the 6-digit code the app shows."</li>
                </ol>
            </div>
        </div>
    }
}

/// Recovery codes, shown once right after they are made.
#[component]
pub fn RecoveryCodes(codes: Vec<String>, on_done: Callback<()>) -> impl IntoView {
    view! {
        <div class="recovery-codes" role="region" aria-labelledby="recovery-codes-title">
            <h3 id="recovery-codes-title">"Your recovery codes"</h3>
            <p>"Each code signs you in once if you lose your phone. Save them somewhere safe, like a password manager: this is the only time they are shown."</p>
            <ul class="codes" data-testid="recovery-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
            <button type="button" class="btn btn-primary" on:click=move |_| on_done.run(())>"I've saved my codes"</button>
        </div>
    }
}
