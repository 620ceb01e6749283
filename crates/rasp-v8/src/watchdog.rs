//! Cuts off JavaScript that runs past its deadline.
//!
//! One thread per process serves every isolate. Arming costs two uncontended
//! mutex operations; the thread is woken only when it was idle, so a steady
//! stream of checks wakes it about once per timeout period, not once per
//! check. The thread is started lazily, after php-fpm has forked, and again
//! in any child forked later (threads do not survive fork).

use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::sys;

struct Entry {
    id: u64,
    iso: usize,
    deadline: Instant,
    fired: bool,
    /// CPU-time clock of the thread running the check, and its reading
    /// when armed: the budget is CPU time, so a check whose thread was
    /// descheduled (a busy machine) is not cut off for time it never had.
    cpu_clock: Option<libc::clockid_t>,
    cpu_start: Duration,
    budget: Duration,
    /// Wall-clock backstop: cut off regardless after this.
    hard_deadline: Instant,
}

fn cpu_now(clock: libc::clockid_t) -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer; an invalid clock gives an error.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return None;
    }
    Some(Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

fn this_thread_clock() -> Option<libc::clockid_t> {
    let mut clock: libc::clockid_t = 0;
    // SAFETY: pthread_self is always valid; `clock` is a valid out-pointer.
    (unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut clock) } == 0).then_some(clock)
}

/// How much longer than its CPU budget a check may take in wall-clock
/// time before it is cut off anyway.
const WALL_FACTOR: u32 = 10;

/// How old this thread's last CPU-clock reading may be and still stand in
/// for a new one when a check is armed.
const CPU_SAMPLE_MAX_AGE: Duration = Duration::from_millis(10);

/// Bumped in a forked child: a thread's CPU clock id names the thread, so
/// one kept from before a fork would read the parent's clock.
static FORKS: AtomicU64 = AtomicU64::new(0);

type CpuSample = (u64, libc::clockid_t, Instant, Duration);

thread_local! {
    /// This thread's CPU clock, and its last reading with the wall time then
    /// (and the fork count when taken).
    static CPU_SAMPLE: std::cell::Cell<Option<CpuSample>> = const { std::cell::Cell::new(None) };
}

/// A thread's CPU time now, at most `age` after a reading of `cpu`: never
/// less than the truth, because a thread's CPU time grows no faster than
/// wall time. Used as a check's start, it can only make the check's CPU
/// use look smaller, so it delays a cut-off (by at most `age`) and never
/// brings one forward.
fn cpu_upper_bound(cpu: Duration, age: Duration) -> Duration {
    cpu + age
}

/// This thread's CPU clock and (an upper bound of) its reading now. Reading
/// the clock is a system call that takes the run-queue lock, a quarter of a
/// check that finds nothing; back-to-back checks reuse a recent reading.
fn cpu_start(now: Instant) -> (Option<libc::clockid_t>, Duration) {
    let forks = FORKS.load(Ordering::Relaxed);
    CPU_SAMPLE.with(|s| {
        if let Some((f, clock, at, cpu)) = s.get().filter(|x| x.0 == forks) {
            let age = now.saturating_duration_since(at);
            if age <= CPU_SAMPLE_MAX_AGE {
                return (Some(clock), cpu_upper_bound(cpu, age));
            }
            if let Some(cpu) = cpu_now(clock) {
                s.set(Some((f, clock, now, cpu)));
                return (Some(clock), cpu);
            }
        }
        let clock = this_thread_clock();
        let cpu = clock.and_then(cpu_now);
        if let (Some(c), Some(t)) = (clock, cpu) {
            s.set(Some((forks, c, now, t)));
        }
        (clock, cpu.unwrap_or_default())
    })
}

#[derive(Default)]
struct State {
    entries: Vec<Entry>,
    next_id: u64,
    /// When the thread will next look; None = it sleeps until woken.
    sleep_until: Option<Instant>,
}

pub(crate) struct Watchdog {
    state: Mutex<State>,
    wake: Condvar,
}

static CURRENT: AtomicPtr<Watchdog> = AtomicPtr::new(std::ptr::null_mut());

impl Watchdog {
    /// The watchdog of this process, started on first use.
    ///
    /// A forked child must not use its parent's watchdog (its thread did not
    /// survive the fork, and its mutex may have been held at fork time). A
    /// `pthread_atfork` child handler forgets it, so the fast path is one
    /// atomic load rather than a `getpid()` system call per check (glibc no
    /// longer caches the pid; that call was 5% of a check's time). Children
    /// made by a raw `clone()` without fork handlers are not supported.
    pub(crate) fn get() -> &'static Watchdog {
        let cur = CURRENT.load(Ordering::Acquire);
        // SAFETY: CURRENT only ever holds pointers from Box::leak, never freed.
        if let Some(w) = unsafe { cur.as_ref() } {
            return w;
        }
        Self::start(cur)
    }

    #[cold]
    fn start(cur: *mut Watchdog) -> &'static Watchdog {
        static ATFORK: std::sync::Once = std::sync::Once::new();
        ATFORK.call_once(|| {
            extern "C" fn forget_in_child() {
                // The parent's watchdog (and its thread) stay behind: leak it.
                CURRENT.store(std::ptr::null_mut(), Ordering::Release);
                FORKS.fetch_add(1, Ordering::Relaxed);
            }
            extern "C" {
                fn pthread_atfork(
                    prepare: Option<extern "C" fn()>,
                    parent: Option<extern "C" fn()>,
                    child: Option<extern "C" fn()>,
                ) -> std::ffi::c_int;
            }
            // SAFETY: registering a handler that only stores to an atomic
            // (async-signal-safe, as a post-fork child handler must be).
            unsafe { pthread_atfork(None, None, Some(forget_in_child)) };
        });
        // First use, or we are a forked child whose copy has no thread (and
        // whose mutex may have been held at fork time): start afresh, leak the old.
        let w: &'static Watchdog = Box::leak(Box::new(Watchdog {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
        }));
        match CURRENT.compare_exchange(
            cur,
            w as *const _ as *mut _,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => {
                let spawned = std::thread::Builder::new()
                    .name("rasp-watchdog".into())
                    .stack_size(64 * 1024)
                    .spawn(move || w.run());
                if spawned.is_err() {
                    // Without a thread nothing is cut off; checks still run.
                    eprintln!("php-rasp: could not start the plugin watchdog thread");
                }
                w
            }
            // SAFETY: as above, a leaked, never-freed Watchdog.
            Err(other) => match unsafe { other.as_ref() } {
                Some(w) => w,
                None => Self::start(other),
            },
        }
    }

    /// Arms a deadline for `iso`; the returned guard disarms on drop.
    pub(crate) fn arm(&'static self, iso: *mut sys::RaspIsolate, timeout: Duration) -> Armed {
        let now = Instant::now();
        let deadline = now + timeout;
        let (cpu_clock, cpu_start) = cpu_start(now);
        let mut st = self.lock();
        st.next_id += 1;
        let id = st.next_id;
        st.entries.push(Entry {
            id,
            iso: iso as usize,
            deadline,
            fired: false,
            cpu_clock,
            cpu_start,
            budget: timeout,
            hard_deadline: now + timeout * WALL_FACTOR,
        });
        let wake = st.sleep_until.map_or(true, |t| deadline < t);
        drop(st);
        if wake {
            self.wake.notify_one();
        }
        Armed { dog: self, id }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn run(&self) {
        let mut st = self.lock();
        loop {
            let now = Instant::now();
            for e in st.entries.iter_mut() {
                if !e.fired && e.deadline <= now {
                    // Wall time is up; CPU time may not be. Re-arm for the
                    // CPU budget left, unless the backstop passed too.
                    let used = e
                        .cpu_clock
                        .and_then(cpu_now)
                        .map(|c| c.saturating_sub(e.cpu_start));
                    if let Some(used) = used {
                        if used < e.budget && now < e.hard_deadline {
                            e.deadline = (now + (e.budget - used)).min(e.hard_deadline);
                            continue;
                        }
                    }
                    e.fired = true;
                    // SAFETY: an entry exists only while its Armed guard lives,
                    // and the guard is dropped before the isolate is freed;
                    // TerminateExecution may be called from any thread.
                    unsafe { sys::rasp_v8_terminate(e.iso as *mut sys::RaspIsolate) };
                }
            }
            let next = st
                .entries
                .iter()
                .filter(|e| !e.fired)
                .map(|e| e.deadline)
                .min();
            st = match next {
                Some(d) => {
                    st.sleep_until = Some(d);
                    let wait = d.saturating_duration_since(Instant::now());
                    self.wake
                        .wait_timeout(st, wait)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
                None => {
                    st.sleep_until = None;
                    self.wake.wait(st).unwrap_or_else(|e| e.into_inner())
                }
            };
        }
    }
}

pub(crate) struct Armed {
    dog: &'static Watchdog,
    id: u64,
}

impl Armed {
    /// Disarms and tells whether the deadline fired.
    pub(crate) fn disarm(self) -> bool {
        let mut st = self.dog.lock();
        let fired = match st.entries.iter().position(|e| e.id == self.id) {
            Some(i) => st.entries.swap_remove(i).fired,
            None => false,
        };
        drop(st);
        std::mem::forget(self);
        fired
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        let mut st = self.dog.lock();
        if let Some(i) = st.entries.iter().position(|e| e.id == self.id) {
            st.entries.swap_remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_cpu_reading_is_never_below_the_truth() {
        let clock = this_thread_clock().expect("thread CPU clock");
        // Start from a reading of our own, not one an earlier test left on
        // this thread.
        CPU_SAMPLE.with(|s| s.set(None));
        let t0 = Instant::now();
        let (_, start) = cpu_start(t0);
        // Burn some CPU, then ask again within the reuse window.
        let mut x = 0u64;
        while t0.elapsed() < Duration::from_millis(3) {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        std::hint::black_box(x);
        // The truth is read before `now`: read after it, it also counts the
        // CPU spent since (in cpu_start itself), and the comparison failed
        // by a fraction of a microsecond now and then.
        let truth = cpu_now(clock).unwrap();
        let now = Instant::now();
        let (_, estimate) = cpu_start(now);
        assert!(estimate >= truth, "{estimate:?} < {truth:?}");
        // Reused (the thread was not held off the CPU past the window, as
        // it can be while other tests run): the first reading plus the wall
        // time since, nothing more.
        if now.duration_since(t0) <= CPU_SAMPLE_MAX_AGE {
            assert!(estimate <= start + now.duration_since(t0) + Duration::from_micros(1));
        }
        // Past the window the clock is read again.
        let later = now + CPU_SAMPLE_MAX_AGE + Duration::from_millis(1);
        let (_, read) = cpu_start(later);
        assert!(read <= cpu_now(clock).unwrap());
    }
}
