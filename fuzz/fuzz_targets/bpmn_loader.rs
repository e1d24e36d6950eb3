//! Any text as a BPMN file: the loader returns a process or diagnostics, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = herald_bpmn::load_str(text, std::path::Path::new("fuzz.bpmn"));
});
