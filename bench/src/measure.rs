//! Running a client as a child process and reading what it cost: wall time, CPU time, peak
//! memory (the kernel's `ru_maxrss`), and latency percentiles.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// What one child process printed and cost.
pub struct Finished {
    /// Its standard output.
    pub stdout: String,
    /// From spawn to exit.
    pub wall: Duration,
    /// User plus system CPU time of the process and its threads.
    pub cpu: Duration,
    /// Peak resident memory, in bytes.
    pub peak_rss: u64,
}

/// Runs `command` to its end; fails when it exits unsuccessfully.
pub fn run(mut command: Command) -> anyhow::Result<Finished> {
    let started = Instant::now();
    let mut child = command.stdout(Stdio::piped()).spawn().with_context(|| format!("cannot start {command:?}"))?;
    let mut stdout = String::new();
    child.stdout.take().expect("stdout is piped").read_to_string(&mut stdout)?;
    let pid = libc::pid_t::try_from(child.id())?;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet reaped; `status` and `usage` outlive the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if reaped != pid {
        bail!("wait4 failed for {command:?}: {}", std::io::Error::last_os_error());
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        bail!("{command:?} failed (status {status}); it printed:\n{stdout}");
    }
    // Linux reports kilobytes.
    let peak_rss = u64::try_from(usage.ru_maxrss).unwrap_or_default() * 1024;
    let cpu = duration(usage.ru_utime) + duration(usage.ru_stime);
    Ok(Finished { stdout, wall, cpu, peak_rss })
}

fn duration(time: libc::timeval) -> Duration {
    let micros = time.tv_sec * 1_000_000 + time.tv_usec;
    Duration::from_micros(u64::try_from(micros).unwrap_or_default())
}

/// The `p`-th percentile (0–100) of `samples`, which it sorts.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = ((p / 100.0) * (samples.len() - 1) as f64).round() as usize;
    samples[rank.min(samples.len() - 1)]
}
