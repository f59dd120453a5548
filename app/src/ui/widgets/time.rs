//! Times as people read them: `<time datetime="…" title="exact time">5 minutes ago</time>`.

use crate::domain::time::At;
use leptos::prelude::*;

/// The server's clock, as told by the page's first answer (`Me::now`), carried
/// forward by the browser's own clock: relative words count from it, so the
/// server-rendered page and the hydrated one say the same, and a browser whose
/// clock is wrong doesn't turn "5 minutes ago" into "in 3 hours".
#[derive(Clone, Copy)]
pub struct ServerClock {
    /// Server time minus this machine's time when the page loaded, in ms.
    offset: i64,
}

impl ServerClock {
    pub fn provide(server_now: At) {
        provide_context(ServerClock {
            offset: server_now.millis() - local_now(),
        });
    }

    fn now(self) -> At {
        At(local_now() + self.offset)
    }
}

/// This machine's clock in ms since the epoch (the browser's in the browser).
fn local_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        web_sys::js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// The exact time in the viewer's own time zone and language, once the browser can
/// say it ("Dec 1, 2026, 11:25 PM").
#[cfg(feature = "hydrate")]
fn local_words(at: At) -> Option<String> {
    use web_sys::js_sys::{Date, Object, Reflect};
    use web_sys::wasm_bindgen::JsValue;
    let options = Object::new();
    Reflect::set(&options, &"dateStyle".into(), &"medium".into()).ok()?;
    Reflect::set(&options, &"timeStyle".into(), &"short".into()).ok()?;
    let language = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".to_string());
    let date = Date::new(&JsValue::from_f64(at.millis() as f64));
    Some(String::from(date.to_locale_string(&language, &options)))
}

/// "5 minutes ago", "in 3 days": the words on the page, the exact time as its title
/// (UTC until the browser turns it into the viewer's own zone).
#[component]
pub fn When(at: At) -> impl IntoView {
    let now = use_context::<ServerClock>().map_or_else(|| At(local_now()), ServerClock::now);
    let title = RwSignal::new(at.utc_words());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(words) = local_words(at) {
            title.set(words);
        }
    });
    view! { <time datetime=at.iso() title=move || title.get()>{at.relative(now)}</time> }
}

/// `When`, or what to say when there is no time ("Never", "—").
#[component]
pub fn WhenOr(at: Option<At>, otherwise: &'static str) -> impl IntoView {
    match at {
        Some(at) => view! { <When at /> }.into_any(),
        None => otherwise.into_any(),
    }
}
