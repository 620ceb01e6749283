// The narrow C ABI between rasp-v8's Rust code and V8's C++ embedder API.
// Everything that can be decided in Rust is decided in Rust; this layer only
// translates calls, strings and errors.
#ifndef RASP_V8_H
#define RASP_V8_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct RaspIsolate RaspIsolate;

// A sink for bytes produced by the shim (results, error messages, blobs).
typedef struct {
  void *ud;
  void (*write)(void *ud, const char *data, size_t len);
} RaspSink;

// A named script: the prelude or a plugin file.
typedef struct {
  const char *name;
  size_t name_len;
  const char *source;
  size_t source_len;
} RaspScript;

// Receives `len` numbers from Rust (a tokenizer's tokens, flat: start, stop,
// kind per token; list positions), valid during the call.
typedef void (*RaspU32Out)(void *ud, const uint32_t *data, size_t len);

// Native functions implemented in Rust, handed over once at initialisation.
// `units` are Latin-1 bytes (two_byte == 0) or UTF-16 code units (two_byte == 1),
// so token offsets are JS string indices.
typedef struct {
  void (*sql_tokenize)(const void *units, size_t len, int two_byte, const char *server,
                       size_t server_len, void *ud, RaspU32Out out);
  void (*cmd_tokenize)(const void *units, size_t len, int two_byte, void *ud, RaspU32Out out);
  // Writes the caller's stack (a JSON array of strings) for params.stack,
  // asked only when a handler reads it; "[]" when there is none.
  void (*php_stack)(RaspSink out);
  // Writes the request values (a JSON array) built with `opts` (a JSON
  // object of input options): from the context `ctx` (the context JSON),
  // or, when `ctx` is NULL, from the embedder's own list (nothing written
  // when it has none).
  void (*request_inputs)(const char *ctx, size_t ctx_len, const char *opts, size_t opts_len,
                         RaspSink out);
  // Writes the current request's context JSON, asked only when a handler
  // first reads `context` during a check that left it to the embedder.
  void (*request_context)(RaspSink out);
  // The entries of the embedder's request values built with `opts` that
  // are at least `min_length` UTF-16 units long and occur in `text`: their
  // indexes in the list to `positions` when it is set, else a JSON array of
  // them to `rows`; nothing at all when the embedder has no list.
  void (*request_inputs_in)(const char *opts, size_t opts_len, const char *text, size_t text_len,
                            uint32_t min_length, void *ud, RaspU32Out positions, RaspSink rows);
} RaspNatives;

enum {
  RASP_V8_OK = 0,
  RASP_V8_EXCEPTION = 1,   // JS threw; the sink got "file:line:col: message\nstack"
  RASP_V8_TERMINATED = 2,  // cut off by rasp_v8_terminate (timeout) or the heap limit
  RASP_V8_ERROR = 3,       // misuse or internal failure; the sink got a message
  RASP_V8_NO_STACK = 4,    // not enough native stack left on this thread to run JS safely
};

// Initialises V8 once per process (single-threaded platform: no worker
// threads). Later calls return the first result. `flags` are V8 flags.
int rasp_v8_initialize(const char *flags, size_t flags_len, const RaspNatives *natives);
const char *rasp_v8_version(void);

// Runs `scripts` in order in a fresh context and serialises the heap into a
// startup snapshot, written to `blob`. On failure writes the error to `err`.
int rasp_v8_build_snapshot(const RaspScript *scripts, size_t n, RaspSink blob, RaspSink err);

// Creates an isolate from a snapshot blob (blob_len > 0) or runs `scripts` in
// a fresh one (blob_len == 0). Returns NULL and writes to `err` on failure.
RaspIsolate *rasp_v8_isolate_new(const uint8_t *blob, size_t blob_len, const RaspScript *scripts,
                                 size_t n, size_t heap_limit_bytes, RaspSink err);

// Calls the global function `fn` with string arguments (NULL pointer =
// undefined). A string result is written to `out`; undefined writes nothing.
int rasp_v8_call(RaspIsolate *iso, const char *fn, const char *const *args, const size_t *lens,
                 size_t nargs, RaspSink out);

// Thread-safe: makes the running (or next) JS execution stop.
void rasp_v8_terminate(RaspIsolate *iso);
void rasp_v8_cancel_terminate(RaspIsolate *iso);
// 1 once the heap limit was reached; the isolate should then be replaced.
int rasp_v8_heap_exhausted(RaspIsolate *iso);
void rasp_v8_heap_stats(RaspIsolate *iso, size_t *used, size_t *limit);
void rasp_v8_isolate_free(RaspIsolate *iso);

#ifdef __cplusplus
}
#endif
#endif
