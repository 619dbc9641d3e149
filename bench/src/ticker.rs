//! A fine-grained periodic tick for open-loop schedules. tokio's timer wheel has a 1 ms
//! resolution, which would send a 40k/s schedule in bursts of 40; a `timerfd` ticks every
//! 100 µs and the scheduler sends what is due at each tick.

use std::io;
use std::os::fd::OwnedFd;
use std::time::Duration;

use rustix::time::{
    Itimerspec, TimerfdClockId, TimerfdFlags, TimerfdTimerFlags, Timespec, timerfd_create,
    timerfd_settime,
};
use tokio::io::unix::AsyncFd;

/// A periodic monotonic timer.
pub struct Ticker {
    fd: AsyncFd<OwnedFd>,
}

fn timespec(period: Duration) -> Timespec {
    Timespec {
        tv_sec: period.as_secs() as _,
        tv_nsec: period.subsec_nanos() as _,
    }
}

impl Ticker {
    /// Ticks every `period`, starting one period from now.
    pub fn new(period: Duration) -> io::Result<Self> {
        let fd = timerfd_create(
            TimerfdClockId::Monotonic,
            TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC,
        )?;
        let spec = Itimerspec {
            it_interval: timespec(period),
            it_value: timespec(period),
        };
        timerfd_settime(&fd, TimerfdTimerFlags::empty(), &spec)?;
        // tokio deprecated `AsyncFd::new` in favour of an `unsafe` constructor because a
        // generic `T: AsRawFd` cannot promise its descriptor stays open. An `OwnedFd` moved
        // into the `AsyncFd` does: it is closed only when the `AsyncFd` drops. The
        // workspace forbids `unsafe`, so the safe-for-this-type call stays.
        #[allow(deprecated)]
        let fd = AsyncFd::new(fd)?;
        Ok(Self { fd })
    }

    /// Waits for the next tick.
    pub async fn tick(&self) -> io::Result<()> {
        loop {
            let mut guard = self.fd.readable().await?;
            let mut expirations = [0u8; 8];
            match guard.try_io(|fd| Ok(rustix::io::read(fd.get_ref(), &mut expirations)?)) {
                Ok(result) => return result.map(drop),
                Err(_would_block) => continue,
            }
        }
    }
}
