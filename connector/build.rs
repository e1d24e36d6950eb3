//! Link settings of the component build.

fn main() {
    // A send grows memory past the 1.2 MiB the module declares; declaring 4 MiB at once
    // spares each call the grow, and the host the page-protection changes that come with
    // a grow and with resetting it for the next call. Pages never touched cost nothing.
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo::rustc-link-arg=--initial-memory=4194304");
    }
}
