//! Builds the Slack connector for `wasm32-wasip2`, so the `herald` binary can embed it.

fn main() {
    let built = herald_component_build::build(&[("herald-slack", "herald_slack")]);
    println!("cargo:rustc-env=HERALD_SLACK_WASM={}", built[0].display());
}
