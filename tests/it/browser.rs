//! End to end in a real browser: headless Chromium on a page from
//! `rapport serve`, with the site edited on disk while the page is open.

use std::time::Duration;

use crate::serve::Served;
use crate::webdriver::Browser;

#[test]
fn browser_shows_an_edit_without_a_manual_reload() {
    let Some(browser) = Browser::start("browser_shows_an_edit_without_a_manual_reload", 1280, 900) else {
        return;
    };
    let served = Served::start("good");
    browser.goto(&format!("http://127.0.0.1:{}/stories/acme-renewal/", served.port));
    assert!(browser.text().contains("Keeping Acme at renewal"));
    // Wait until the page's live-reload stream is open.
    browser.wait_for(
        "the live-reload connection",
        "return window.__rapportLive && window.__rapportLive.readyState === 1;",
        Duration::from_secs(15),
    );
    browser.eval("window.scrollTo(0, 200); window.__rapportMarker = 'old page'; return true;");

    let rel = "content/stories/acme-renewal.md";
    let text = served.read(rel);
    served.write(rel, &format!("{text}\nThe browser saw this sentence arrive.\n"));
    browser.wait_for(
        "the new sentence in the page",
        "return document.body.innerText.includes('The browser saw this sentence arrive.');",
        Duration::from_secs(20),
    );
    // It was a reload by the page itself, not by the test.
    assert!(
        browser
            .eval("return window.__rapportMarker === undefined;")
            .as_bool()
            .unwrap_or(false)
    );

    // A broken edit shows the overlay over the last good page; a fix removes it.
    let good = served.read(rel);
    served.write(
        rel,
        &good.replacen("title: Keeping Acme at renewal", "title: [Keeping Acme at renewal", 1),
    );
    let overlay = browser.wait_for(
        "the error overlay",
        "var o = document.querySelector('[data-rapport-overlay]'); return o ? o.innerText : '';",
        Duration::from_secs(20),
    );
    let overlay = overlay.as_str().unwrap_or_default();
    assert!(overlay.contains("content/stories/acme-renewal.md:"), "{overlay}");
    assert!(
        overlay.contains("The last change has 1 error."),
        "only the root cause, not the links to it: {overlay}"
    );
    assert!(overlay.contains("invalid YAML"), "{overlay}");
    assert!(
        browser.text().contains("The browser saw this sentence arrive."),
        "the last good page stays"
    );

    served.write(
        rel,
        &good.replace(
            "The browser saw this sentence arrive.",
            "Fixed, and the overlay went away.",
        ),
    );
    browser.wait_for(
        "the overlay to go and the fix to show",
        "return !document.querySelector('[data-rapport-overlay]') && document.body.innerText.includes('Fixed, and the overlay went away.');",
        Duration::from_secs(20),
    );
}
