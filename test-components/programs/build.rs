//! Builds the hostile test component into `OUT_DIR`.

fn main() {
    let built = herald_component_build::build(&[("herald-hostile", "herald_hostile")]);
    println!("cargo:rustc-env=HERALD_HOSTILE_WASM={}", built[0].display());
}
