//! Builds the Slack connector for `wasm32-wasip2` so the `herald` binary can embed it, and
//! the test components the sandbox tests load (`HERALD_HOSTILE_WASM`).
//!
//! They are members of this workspace but a different target: they are built by a nested
//! cargo into their own target directory (the outer cargo holds the lock on ours).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = manifest_dir.parent().expect("host/ lives in the workspace").to_path_buf();
    for watched in
        ["connector/src", "connector/build.rs", "connector/Cargo.toml", "test-components", "wit", "Cargo.lock"]
    {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }

    ensure_target_installed();

    let target_dir = workspace.join("target").join("connector");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(&workspace)
        .args(["build", "--release", "--locked", "-p", "herald-slack", "-p", "herald-hostile", "--target", TARGET])
        .arg("--target-dir")
        .arg(&target_dir);
    // Flags meant for the host build (coverage, sanitizers, a linker) must not leak into
    // the wasm build.
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "CARGO_TARGET_DIR"] {
        build.env_remove(var);
    }
    let status = build.status().expect("cargo can be started for the connector build");
    assert!(status.success(), "building the components for {TARGET} failed");

    for (crate_name, variable) in [("herald_slack", "HERALD_SLACK_WASM"), ("herald_hostile", "HERALD_HOSTILE_WASM")] {
        let wasm = target_dir.join(TARGET).join("release").join(format!("{crate_name}.wasm"));
        assert!(wasm.exists(), "the component build did not produce {}", wasm.display());
        println!("cargo:rustc-env={variable}={}", wasm.display());
    }
}

/// Installs the wasm32-wasip2 standard library when it is missing.
///
/// rustup installs the targets listed in rust-toolchain.toml only together with a new
/// toolchain; on a machine that already has 1.95.0 the target would stay missing.
fn ensure_target_installed() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
    let installed = |root: &Path| root.join("lib/rustlib").join(TARGET).exists();
    if sysroot.as_deref().is_some_and(installed) {
        return;
    }
    let mut add = Command::new("rustup");
    add.args(["target", "add", TARGET]);
    if let Ok(toolchain) = env::var("RUSTUP_TOOLCHAIN") {
        add.args(["--toolchain", &toolchain]);
    }
    let status = add.status().expect("rustup is needed to install the wasm32-wasip2 target");
    assert!(status.success(), "`rustup target add {TARGET}` failed");
}
