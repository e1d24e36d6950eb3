//! The `herald` command line.

use std::process::ExitCode;

use clap::Parser;

mod cli;

// Every step allocates many small short-lived objects across threads (JSON values, HTTP
// buffers, instance bookkeeping); mimalloc serves those faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Like any Unix filter, end quietly when the reader of our output goes away
    // (`herald element-template | head`) instead of failing on the broken pipe.
    // SAFETY: setting a signal's disposition to its default, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = cli::Cli::parse();
    cli::init_logging();
    if let Err(code) = args.load_env_file() {
        return code;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::from(cli::EXIT_FAILED);
        }
    };
    runtime.block_on(cli::main(args))
}
