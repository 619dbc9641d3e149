//! Server child processes, pinned to a core, and what `/proc` says about them.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::Result;
use crate::peer::Peer;

/// How a server runs.
#[derive(Clone, Debug)]
pub struct Placement {
    /// The core it is pinned to with `taskset`, if any.
    pub core: Option<usize>,
    /// Runtime threads of the Rust servers (1: a current-thread runtime).
    pub threads: usize,
}

/// Where the programs are.
#[derive(Clone, Debug)]
pub struct Programs {
    /// The `bench` binary, which serves the Rust peers (`bench serve PEER`).
    pub bench: PathBuf,
    /// The Node peer's script.
    pub node_script: PathBuf,
}

impl Programs {
    /// The Node script of this checkout and the given `bench` binary.
    pub fn new(bench: PathBuf) -> Self {
        Self {
            bench,
            node_script: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node/server.mjs"),
        }
    }
}

/// A server child, killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Starts `peer` and waits for its port.
    pub fn spawn(peer: Peer, placement: &Placement, programs: &Programs) -> Result<Self> {
        let (program, args): (PathBuf, Vec<String>) = match peer {
            Peer::Node => (
                "node".into(),
                vec![programs.node_script.display().to_string()],
            ),
            rust => (
                programs.bench.clone(),
                vec![
                    "serve".into(),
                    rust.name().into(),
                    "--threads".into(),
                    placement.threads.to_string(),
                ],
            ),
        };
        Self::launch(&program, &args, placement.core)
    }

    /// Starts `program` with `args` (pinned to `core` with `taskset`, if any) and waits
    /// for the `port <n>` line it prints.
    pub fn launch(program: &Path, args: &[String], core: Option<usize>) -> Result<Self> {
        let mut command = match core {
            Some(core) => {
                let mut taskset = Command::new("taskset");
                taskset.arg("-c").arg(core.to_string()).arg(program);
                taskset
            }
            None => Command::new(program),
        };
        let mut child = command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|error| format!("cannot start {}: {error}", program.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port: u16 = line
            .trim()
            .strip_prefix("port ")
            .ok_or_else(|| format!("{} printed {line:?}, not its port", program.display()))?
            .parse()?;
        Ok(Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        })
    }

    /// The process id (taskset execs the server, so it is the server's).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in bytes.
    pub fn rss(&self) -> Result<u64> {
        rss(self.pid())
    }

    /// CPU time (user + system) used so far.
    pub fn cpu(&self) -> Result<Duration> {
        cpu_time(&self.pid().to_string())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `VmRSS` of a process, in bytes.
pub fn rss(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .ok_or("no VmRSS in /proc/<pid>/status")?
        .trim()
        .parse()?;
    Ok(kib * 1024)
}

/// utime + stime of `/proc/<pid>/stat` (`pid` may be `self`), every thread included.
pub fn cpu_time(pid: &str) -> Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces; the fields after it are plain numbers.
    let after_name = &stat[stat.rfind(')').ok_or("malformed /proc/<pid>/stat")? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the whole line: indices 11 and 12 after the name.
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    let per_second = rustix::param::clock_ticks_per_second();
    Ok(Duration::from_secs_f64(ticks as f64 / per_second as f64))
}

/// Pins the calling thread (the load generator's only thread) to `core`.
pub fn pin_to(core: usize) -> Result<()> {
    let mut set = rustix::thread::CpuSet::new();
    set.set(core);
    rustix::thread::sched_setaffinity(None, &set)?;
    Ok(())
}

/// Raises the soft open-file limit to the hard limit, and returns it.
pub fn raise_fd_limit() -> Result<u64> {
    Ok(rlimit::increase_nofile_limit(u64::MAX)?)
}
