//! Runs php-rasp's JavaScript detection plugins in V8.
//!
//! V8 comes from Debian's `libnode` (V8 10.2), reached through a small C++
//! shim (`shim/`); this crate turns that into a safe API:
//!
//! * [`initialize`] starts V8 once per process with a single-threaded
//!   platform, so V8 owns no threads that a later `fork()` could break.
//! * [`Snapshot::build`] runs the plugin runtime and every plugin once and
//!   serialises the resulting heap. Restoring it ([`Engine::from_snapshot`])
//!   takes about 2 ms, which is what makes per-thread isolates and hot
//!   reload cheap.
//! * [`Engine::check`] judges one check event under a deadline kept by a
//!   process-wide watchdog thread and a heap limit. A plugin that throws,
//!   loops or eats memory yields a [`Fault`] in the outcome, never a panic or
//!   a crash of the host process.
//!
//! An [`Engine`] is tied to the thread that created it (V8 isolates are not
//! shared between threads without locking, and we never need to).

mod engine;
mod natives;
mod sys;
mod watchdog;

pub use engine::{
    initialize, v8_version, CheckOutcome, Engine, EngineError, EngineInfo, EngineOptions, Fault,
    PluginError, PluginInfo, PluginSource, SkippedPlugin, Snapshot,
};
pub use natives::{set_request_inputs_source, InputsSource};
