//! Builds the workspace's WebAssembly components (`wasm32-wasip2`) from a build script and
//! copies each into the script's `OUT_DIR`: the `herald` binary embeds the Slack connector,
//! and `herald-test-components` hands the hostile component to the tests.
//!
//! The components are members of this workspace but a different target, so a nested cargo
//! builds them into a target directory of their own (the outer cargo holds the lock on
//! its own): `components` inside the outer one, so `CARGO_TARGET_DIR` is honoured and one
//! build serves every profile (`check`, `test`, `release`).

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The components' target.
pub const TARGET: &str = "wasm32-wasip2";

/// Builds each `(package, crate_name)` in release mode and returns the paths of their
/// `.wasm` files, copied into `OUT_DIR`; prints what cargo must watch to build them again.
///
/// # Panics
/// When the build fails: a build script has no other way to report it.
pub fn build(components: &[(&str, &str)]) -> Vec<PathBuf> {
    let workspace = workspace_root();
    for watched in ["connector", "test-components/hostile", "wit", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    ensure_target_installed();

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo for build scripts"));
    let target_dir = outer_target_dir(&out_dir).join("components");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.current_dir(&workspace).args(["build", "--release", "--locked", "--target", TARGET]);
    for (package, _) in components {
        build.args(["-p", package]);
    }
    build.arg("--target-dir").arg(&target_dir);
    // Flags meant for the host build (coverage, sanitizers, a linker) must not leak into
    // the wasm build.
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS", "CARGO_TARGET_DIR"] {
        build.env_remove(var);
    }
    let status = build.status().expect("cargo can be started for the component build");
    assert!(status.success(), "building the components for {TARGET} failed");

    components
        .iter()
        .map(|(_, crate_name)| {
            let file = format!("{crate_name}.wasm");
            let built = target_dir.join(TARGET).join("release").join(&file);
            let copied = out_dir.join(&file);
            std::fs::copy(&built, &copied)
                .unwrap_or_else(|err| panic!("the component build left no {}: {err}", built.display()));
            copied
        })
        .collect()
}

/// The workspace's root: the parent of the `Cargo.lock` above the calling crate.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    manifest_dir
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").exists())
        .expect("the calling crate lives in herald's workspace")
        .to_path_buf()
}

/// The outer build's target directory: the first ancestor of `OUT_DIR` that cargo tagged
/// as a cache directory.
fn outer_target_dir(out_dir: &Path) -> PathBuf {
    out_dir.ancestors().find(|dir| dir.join("CACHEDIR.TAG").exists()).unwrap_or(out_dir).to_path_buf()
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
