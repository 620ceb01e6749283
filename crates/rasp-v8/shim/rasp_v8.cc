// C++ side of rasp-v8: a thin translation layer over V8's embedder API.
// Rust owns policy (timeouts, when to rebuild, what to log); this file only
// runs scripts, converts strings and reports errors without ever letting a
// C++ exception or a V8 fatal error path be reached by plugin behaviour.
#include "rasp_v8.h"

#include <libplatform/libplatform.h>
#include <pthread.h>
#include <v8.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

using namespace v8;

namespace {

std::once_flag g_init_once;
int g_init_result = RASP_V8_ERROR;
std::unique_ptr<Platform> g_platform;
RaspNatives g_natives = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};

// Native stack we insist on before entering JS, and the JS stack budget.
constexpr uintptr_t kStackNeeded = 512 * 1024;
constexpr uintptr_t kJsStackBudget = 320 * 1024;
// Scripts run at load time (plugin top-level code) get this long.
constexpr int kLoadTimeoutMs = 5000;
// ArrayBuffer memory is outside the V8 heap limit; cap it separately.
constexpr size_t kArrayBufferBudget = 64 * 1024 * 1024;

void SinkWrite(const RaspSink &s, const std::string &text) {
  if (s.write) s.write(s.ud, text.data(), text.size());
}

// Lowest usable address of this thread's stack, or 0 when unknown.
uintptr_t StackLow() {
  static thread_local uintptr_t low = 1;
  if (low == 1) {
    low = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void *addr = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0) low = reinterpret_cast<uintptr_t>(addr);
      pthread_attr_destroy(&attr);
    }
  }
  return low;
}

// Sets V8's stack limit relative to where we are now; false if the thread
// has too little native stack left to run JS without risking a real overflow.
bool PrepareStack(Isolate *iso) {
  uintptr_t sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  uintptr_t low = StackLow();
  if (low != 0 && (sp < low || sp - low < kStackNeeded)) return false;
  iso->SetStackLimit(sp - kJsStackBudget);
  return true;
}

class BoundedAllocator : public ArrayBuffer::Allocator {
 public:
  void *Allocate(size_t length) override {
    if (!Reserve(length)) return nullptr;
    void *p = calloc(length ? length : 1, 1);
    if (!p) used_ -= length;
    return p;
  }
  void *AllocateUninitialized(size_t length) override {
    if (!Reserve(length)) return nullptr;
    void *p = malloc(length ? length : 1);
    if (!p) used_ -= length;
    return p;
  }
  void Free(void *data, size_t length) override {
    free(data);
    used_ -= length;
  }

 private:
  bool Reserve(size_t length) {
    size_t now = used_.fetch_add(length) + length;
    if (now > kArrayBufferBudget) {
      used_ -= length;
      return false;
    }
    return true;
  }
  std::atomic<size_t> used_{0};
};

// Bytes of token arrays alive in this process (all isolates), and the bound.
std::atomic<size_t> g_token_bytes{0};
constexpr size_t kTokenBudget = 64 * 1024 * 1024;

// The tokens as a Uint32Array over a block of their own: no number per
// element to make. The store is not the bounded allocator's, whose refusal
// inside ArrayBuffer::New is fatal: the token limit bounds one array (100k
// tokens, 1.2 MB), kTokenBudget all of them.
struct TokenBlock {
  uint32_t *data = nullptr;
  size_t len = 0;
  bool called = false;
};

void TokensToBlock(void *ud, const uint32_t *flat, size_t len) {
  auto *out = static_cast<TokenBlock *>(ud);
  out->called = true;
  // One unit more: a non-null block even with no tokens.
  out->data = static_cast<uint32_t *>(std::malloc((len + 1) * sizeof(uint32_t)));
  if (!out->data) return;
  if (len > 0) std::memcpy(out->data, flat, len * sizeof(uint32_t));
  out->len = len;
}

// The string's code units, copied into a buffer kept per thread: a query
// is tokenized on every check that needs it, and a fresh buffer each time
// cost an allocation and its zeroing. A long text (a bulk INSERT) gets
// `once`, freed after the call, so no thread keeps megabytes.
template <typename T>
T *UnitsOf(Isolate *iso, Local<String> s, int len, std::vector<T> &once) {
  constexpr size_t kKept = 64 * 1024;
  thread_local std::vector<T> kept;
  std::vector<T> &buf = static_cast<size_t>(len) <= kKept ? kept : once;
  if (buf.size() < static_cast<size_t>(len)) buf.resize(len);
  if constexpr (sizeof(T) == 1)
    s->WriteOneByte(iso, buf.data(), 0, len, String::NO_NULL_TERMINATION);
  else
    s->Write(iso, buf.data(), 0, len, String::NO_NULL_TERMINATION);
  return buf.data();
}

// Shared body of the tokenizer natives: hands the string's code units to
// Rust and returns a flat [start, stop, kind, ...] Uint32Array; the JS
// prelude builds the token objects, which V8 does far faster than C++
// property sets.
void Tokenize(const FunctionCallbackInfo<Value> &info, bool sql) {
  Isolate *iso = info.GetIsolate();
  if (info.Length() < 1 || !info[0]->IsString()) {
    iso->ThrowException(Exception::TypeError(
        String::NewFromUtf8Literal(iso, "tokenize: the first argument must be a string")));
    return;
  }
  Local<String> s = info[0].As<String>();
  int len = s->Length();
  // Server names are short ("mysql", "pgsql"): a longer one is cut, as before.
  char server[65];
  size_t server_len = 0;
  if (sql && info.Length() > 1 && info[1]->IsString()) {
    int n = info[1].As<String>()->WriteUtf8(iso, server, 64, nullptr,
                                            String::NO_NULL_TERMINATION |
                                                String::REPLACE_INVALID_UTF8);
    server_len = n > 0 ? static_cast<size_t>(n) : 0;
  }
  TokenBlock toks;
  if (s->IsOneByte()) {
    std::vector<uint8_t> once;
    const uint8_t *units = UnitsOf<uint8_t>(iso, s, len, once);
    if (sql)
      g_natives.sql_tokenize(units, len, 0, server, server_len, &toks, TokensToBlock);
    else
      g_natives.cmd_tokenize(units, len, 0, &toks, TokensToBlock);
  } else {
    std::vector<uint16_t> once;
    const uint16_t *units = UnitsOf<uint16_t>(iso, s, len, once);
    if (sql)
      g_natives.sql_tokenize(units, len, 1, server, server_len, &toks, TokensToBlock);
    else
      g_natives.cmd_tokenize(units, len, 1, &toks, TokensToBlock);
  }
  // The tokenizer answers once; should it not, an empty array as before.
  if (!toks.called) TokensToBlock(&toks, nullptr, 0);
  if (!toks.data) {
    iso->ThrowException(Exception::RangeError(
        String::NewFromUtf8Literal(iso, "tokenize: out of memory for the token array")));
    return;
  }
  size_t n = toks.len;
  size_t bytes = n * sizeof(uint32_t);
  // Token arrays live outside the V8 heap and its limit: a plugin keeping
  // every one it gets must meet a bound too. Over it, a full GC first (the
  // arrays may just be dead), then an exception the plugin sees.
  if (g_token_bytes.load() + bytes > kTokenBudget) {
    iso->LowMemoryNotification();
    if (g_token_bytes.load() + bytes > kTokenBudget) {
      std::free(toks.data);
      iso->ThrowException(Exception::RangeError(String::NewFromUtf8Literal(
          iso, "tokenize: plugins hold 64 MB of token arrays already; drop some")));
      return;
    }
  }
  g_token_bytes += bytes;
  std::shared_ptr<BackingStore> store = ArrayBuffer::NewBackingStore(
      toks.data, bytes,
      [](void *data, size_t len, void *) {
        g_token_bytes -= len;
        std::free(data);
      },
      nullptr);
  info.GetReturnValue().Set(Uint32Array::New(ArrayBuffer::New(iso, store), 0, n));
}

void NativeSqlTokenize(const FunctionCallbackInfo<Value> &info) { Tokenize(info, true); }
void NativeCmdTokenize(const FunctionCallbackInfo<Value> &info) { Tokenize(info, false); }

void AppendToString(void *ud, const char *data, size_t len) {
  static_cast<std::string *>(ud)->append(data, len);
}

// Returns what a native sink wrote as a JS string (undefined if nothing).
void ReturnJson(const FunctionCallbackInfo<Value> &info, const std::string &json) {
  Local<String> s;
  if (!json.empty() && String::NewFromUtf8(info.GetIsolate(), json.data(), NewStringType::kNormal,
                                           static_cast<int>(json.size()))
                           .ToLocal(&s))
    info.GetReturnValue().Set(s);
}

// params.stack on first read: the embedder builds it only when asked.
void NativeStack(const FunctionCallbackInfo<Value> &info) {
  std::string json;
  if (g_natives.php_stack) g_natives.php_stack(RaspSink{&json, AppendToString});
  ReturnJson(info, json.empty() ? std::string("[]") : json);
}

// `context` on first read, when the check left it to the embedder.
void NativeContext(const FunctionCallbackInfo<Value> &info) {
  std::string json;
  if (g_natives.request_context) g_natives.request_context(RaspSink{&json, AppendToString});
  ReturnJson(info, json.empty() ? std::string("{}") : json);
}

// RASP.request_inputs(options): the request values as the extension's
// check gates see them. (options) asks the embedder's list (undefined when
// it has none); (options, context JSON) computes them from the context.
void NativeRequestInputs(const FunctionCallbackInfo<Value> &info) {
  Isolate *iso = info.GetIsolate();
  bool with_ctx = info.Length() >= 2;
  if (info.Length() < 1 || !info[0]->IsString() || (with_ctx && !info[1]->IsString())) {
    iso->ThrowException(Exception::TypeError(String::NewFromUtf8Literal(
        iso, "request_inputs: expects the options JSON and maybe the context JSON")));
    return;
  }
  String::Utf8Value opts(iso, info[0]);
  std::string json;
  if (!g_natives.request_inputs || !*opts) return;
  if (with_ctx) {
    String::Utf8Value ctx(iso, info[1]);
    if (!*ctx) return;
    g_natives.request_inputs(*ctx, ctx.length(), *opts, opts.length(),
                             RaspSink{&json, AppendToString});
    ReturnJson(info, json.empty() ? std::string("[]") : json);
  } else {
    g_natives.request_inputs(nullptr, 0, *opts, opts.length(), RaspSink{&json, AppendToString});
    ReturnJson(info, json);
  }
}

// Positions an embedder answered with; `answered` stays false when it has
// no list.
struct Positions {
  bool answered = false;
  std::vector<uint32_t> at;
};

void PositionsOut(void *ud, const uint32_t *at, size_t len) {
  auto *p = static_cast<Positions *>(ud);
  p->answered = true;
  p->at.assign(at, at + len);
}

// RASP.inputs_in(text, options, min_length): (options JSON, text, min,
// positions) -> the embedder's values that occur in text (JSON), or with
// positions true their indexes in its list (an array), or undefined
// without a list.
void NativeInputsIn(const FunctionCallbackInfo<Value> &info) {
  Isolate *iso = info.GetIsolate();
  if (info.Length() < 4 || !info[0]->IsString() || !info[1]->IsString() || !info[2]->IsNumber()) {
    iso->ThrowException(Exception::TypeError(String::NewFromUtf8Literal(
        iso, "inputs_in: expects the options JSON, the text, the minimum length and the form")));
    return;
  }
  if (!g_natives.request_inputs_in) return;
  double min = info[2].As<Number>()->Value();
  uint32_t min_length = min >= 1 && min < 4294967295.0 ? static_cast<uint32_t>(min) : 1;
  String::Utf8Value opts(iso, info[0]);
  String::Utf8Value text(iso, info[1]);
  if (!*opts || !*text) return;
  if (info[3]->BooleanValue(iso)) {
    // A few small numbers: an array made here beats JSON text parsed in JS.
    Positions got;
    g_natives.request_inputs_in(*opts, opts.length(), *text, text.length(), min_length, &got,
                                PositionsOut, RaspSink{nullptr, nullptr});
    if (!got.answered) return;
    std::vector<Local<Value>> vals(got.at.size());
    for (size_t i = 0; i < got.at.size(); i++) vals[i] = Integer::NewFromUnsigned(iso, got.at[i]);
    info.GetReturnValue().Set(Array::New(iso, vals.data(), vals.size()));
    return;
  }
  std::string json;
  g_natives.request_inputs_in(*opts, opts.length(), *text, text.length(), min_length, nullptr,
                              nullptr, RaspSink{&json, AppendToString});
  ReturnJson(info, json);
}

// Snapshots refer to native callbacks by index into this table, so it must
// be identical in the process that builds a snapshot and the one restoring it.
const intptr_t g_external_refs[] = {
    reinterpret_cast<intptr_t>(NativeSqlTokenize),
    reinterpret_cast<intptr_t>(NativeCmdTokenize),
    reinterpret_cast<intptr_t>(NativeStack),
    reinterpret_cast<intptr_t>(NativeRequestInputs),
    reinterpret_cast<intptr_t>(NativeContext),
    reinterpret_cast<intptr_t>(NativeInputsIn),
    0,
};

Local<Context> NewContext(Isolate *iso) {
  Local<ObjectTemplate> global = ObjectTemplate::New(iso);
  global->Set(iso, "__rasp_native_sql_tokenize", FunctionTemplate::New(iso, NativeSqlTokenize));
  global->Set(iso, "__rasp_native_cmd_tokenize", FunctionTemplate::New(iso, NativeCmdTokenize));
  global->Set(iso, "__rasp_native_stack", FunctionTemplate::New(iso, NativeStack));
  global->Set(iso, "__rasp_native_request_inputs", FunctionTemplate::New(iso, NativeRequestInputs));
  global->Set(iso, "__rasp_native_context", FunctionTemplate::New(iso, NativeContext));
  global->Set(iso, "__rasp_native_inputs_in", FunctionTemplate::New(iso, NativeInputsIn));
  return Context::New(iso, nullptr, global);
}

std::string ToUtf8(Isolate *iso, Local<Value> v) {
  String::Utf8Value u(iso, v);
  return *u ? std::string(*u, u.length()) : std::string("<unprintable>");
}

// "file:line:col: message" plus the captured frames. Reads only what V8
// computed itself, so a plugin's own toString/prepareStackTrace never runs.
std::string DescribeException(Isolate *iso, TryCatch &tc) {
  Local<Message> m = tc.Message();
  if (m.IsEmpty()) return "uncaught exception (no message)";
  Local<Context> ctx = iso->GetCurrentContext();
  std::string out = ToUtf8(iso, m->GetScriptResourceName());
  out += ":" + std::to_string(m->GetLineNumber(ctx).FromMaybe(0));
  out += ":" + std::to_string(m->GetStartColumn(ctx).FromMaybe(0) + 1);
  out += ": " + ToUtf8(iso, m->Get());
  Local<StackTrace> st = m->GetStackTrace();
  if (!st.IsEmpty()) {
    int n = std::min(st->GetFrameCount(), 10);
    for (int i = 0; i < n; i++) {
      Local<StackFrame> f = st->GetFrame(iso, i);
      out += "\n    at ";
      Local<String> fn = f->GetFunctionName();
      out += fn.IsEmpty() ? std::string("<anonymous>") : ToUtf8(iso, fn);
      out += " (" + ToUtf8(iso, f->GetScriptName()) + ":" + std::to_string(f->GetLineNumber()) +
             ":" + std::to_string(f->GetColumn()) + ")";
    }
  }
  return out;
}

// Terminates JS on `iso` if `Disarm` is not called within `ms`. Used for
// load-time scripts only; per-check deadlines are kept by Rust's watchdog.
class LoadWatchdog {
 public:
  LoadWatchdog(Isolate *iso, int ms) : thread_([this, iso, ms] {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return done_; })) {
        fired_ = true;
        iso->TerminateExecution();
      }
    }) {}
  ~LoadWatchdog() { Disarm(); }
  bool Disarm() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

// Runs scripts in order in the current context; on failure writes why.
// `eager` compiles every function now: a snapshot then carries their
// bytecode, and the first check of each restored isolate does not compile
// the dispatcher and the handlers (about 1 ms of a worker's first request).
bool RunScripts(Isolate *iso, Local<Context> ctx, const RaspScript *scripts, size_t n,
                const RaspSink &err, bool eager) {
  LoadWatchdog dog(iso, kLoadTimeoutMs);
  for (size_t i = 0; i < n; i++) {
    TryCatch tc(iso);
    Local<String> name, src;
    if (!String::NewFromUtf8(iso, scripts[i].name, NewStringType::kNormal, (int)scripts[i].name_len)
             .ToLocal(&name) ||
        !String::NewFromUtf8(iso, scripts[i].source, NewStringType::kNormal,
                             (int)scripts[i].source_len)
             .ToLocal(&src)) {
      SinkWrite(err, std::string(scripts[i].name, scripts[i].name_len) + ": source too large");
      return false;
    }
    ScriptOrigin origin(iso, name);
    ScriptCompiler::Source source(src, origin);
    Local<Script> script;
    auto options = eager ? ScriptCompiler::kEagerCompile : ScriptCompiler::kNoCompileOptions;
    if (!ScriptCompiler::Compile(ctx, &source, options).ToLocal(&script) ||
        script->Run(ctx).IsEmpty()) {
      bool fired = dog.Disarm();
      if (tc.HasTerminated() || fired) {
        iso->CancelTerminateExecution();
        SinkWrite(err, std::string(scripts[i].name, scripts[i].name_len) +
                           ": top-level code ran longer than " + std::to_string(kLoadTimeoutMs) +
                           " ms and was stopped");
      } else {
        SinkWrite(err, DescribeException(iso, tc));
      }
      return false;
    }
  }
  if (dog.Disarm()) {
    iso->CancelTerminateExecution();
    SinkWrite(err, "loading scripts took longer than " + std::to_string(kLoadTimeoutMs) + " ms");
    return false;
  }
  return true;
}

void OnFatal(const char *location, const char *message) {
  fprintf(stderr, "php-rasp: V8 fatal error in %s: %s\n", location ? location : "?",
          message ? message : "?");
}

void OnOom(const char *location, bool is_heap) {
  fprintf(stderr, "php-rasp: V8 out of memory (%s) in %s\n", is_heap ? "heap" : "process",
          location ? location : "?");
}

}  // namespace

struct RaspIsolate {
  Isolate *isolate = nullptr;
  Global<Context> context;
  std::unique_ptr<BoundedAllocator> allocator;
  std::unordered_map<std::string, Global<Function>> functions;
  std::atomic<bool> heap_exhausted{false};
  size_t heap_limit = 0;
};

namespace {

// Near the heap limit: stop the script and grant headroom so V8 can unwind
// instead of aborting the process; the owner then replaces the isolate.
size_t NearHeapLimit(void *data, size_t current, size_t initial) {
  auto *ri = static_cast<RaspIsolate *>(data);
  ri->heap_exhausted = true;
  ri->isolate->TerminateExecution();
  return current + std::max<size_t>(initial / 2, 16 * 1024 * 1024);
}

}  // namespace

extern "C" int rasp_v8_initialize(const char *flags, size_t flags_len, const RaspNatives *natives) {
  std::call_once(g_init_once, [&] {
    if (!natives || !natives->sql_tokenize || !natives->cmd_tokenize) return;
    g_natives = *natives;
    // A snapshot is either built in this process or copied out of shared
    // memory under the publisher's checksum: V8's own pass over the blob
    // (adler32, 6% of a restore) would check it a second time.
    std::string f = "--single-threaded --no-verify-snapshot-checksum ";
    if (flags && flags_len) f.append(flags, flags_len);
    V8::SetFlagsFromString(f.c_str(), f.size());
    g_platform = platform::NewSingleThreadedDefaultPlatform();
    V8::InitializePlatform(g_platform.get());
    V8::Initialize();
    g_init_result = RASP_V8_OK;
  });
  return g_init_result;
}

extern "C" const char *rasp_v8_version(void) { return V8::GetVersion(); }

extern "C" int rasp_v8_build_snapshot(const RaspScript *scripts, size_t n, RaspSink blob,
                                      RaspSink err) {
  if (g_init_result != RASP_V8_OK) {
    SinkWrite(err, "V8 is not initialised");
    return RASP_V8_ERROR;
  }
  SnapshotCreator creator(g_external_refs);
  Isolate *iso = creator.GetIsolate();
  RaspIsolate guard;  // only for the heap-limit callback's flag
  guard.isolate = iso;
  iso->AddNearHeapLimitCallback(NearHeapLimit, &guard);
  iso->SetCaptureStackTraceForUncaughtExceptions(true, 10);
  bool ok = false;
  {
    HandleScope hs(iso);
    bool stack = PrepareStack(iso);
    if (!stack) SinkWrite(err, "not enough native stack to build a snapshot");
    Local<Context> ctx = NewContext(iso);
    if (stack) {
      Context::Scope cs(ctx);
      ok = RunScripts(iso, ctx, scripts, n, err, true);
    }
    if (ok && guard.heap_exhausted) {
      SinkWrite(err, "loading scripts reached the heap limit");
      ok = false;
    }
    // A creator must always produce a blob; on failure serialise an empty context.
    creator.SetDefaultContext(ok ? ctx : Context::New(iso));
  }
  iso->RemoveNearHeapLimitCallback(NearHeapLimit, 0);
  guard.isolate = nullptr;
  StartupData data = creator.CreateBlob(SnapshotCreator::FunctionCodeHandling::kKeep);
  if (ok && data.data && data.raw_size > 0) {
    if (blob.write) blob.write(blob.ud, data.data, (size_t)data.raw_size);
  } else if (ok) {
    SinkWrite(err, "V8 produced an empty snapshot");
    ok = false;
  }
  delete[] data.data;
  return ok ? RASP_V8_OK : RASP_V8_ERROR;
}

extern "C" RaspIsolate *rasp_v8_isolate_new(const uint8_t *blob, size_t blob_len,
                                            const RaspScript *scripts, size_t n,
                                            size_t heap_limit_bytes, RaspSink err) {
  if (g_init_result != RASP_V8_OK) {
    SinkWrite(err, "V8 is not initialised");
    return nullptr;
  }
  auto ri = std::make_unique<RaspIsolate>();
  ri->allocator = std::make_unique<BoundedAllocator>();
  ri->heap_limit = heap_limit_bytes;
  StartupData startup{reinterpret_cast<const char *>(blob), (int)blob_len};
  Isolate::CreateParams params;
  params.array_buffer_allocator = ri->allocator.get();
  params.external_references = g_external_refs;
  if (blob_len > 0) params.snapshot_blob = &startup;
  if (heap_limit_bytes > 0) params.constraints.ConfigureDefaultsFromHeapSize(0, heap_limit_bytes);
  Isolate *iso = Isolate::New(params);
  if (!iso) {
    SinkWrite(err, "V8 could not create an isolate");
    return nullptr;
  }
  ri->isolate = iso;
  iso->AddNearHeapLimitCallback(NearHeapLimit, ri.get());
  iso->SetFatalErrorHandler(OnFatal);
  iso->SetOOMErrorHandler(OnOom);
  iso->SetCaptureStackTraceForUncaughtExceptions(true, 10);
  bool ok = true;
  {
    Isolate::Scope is(iso);
    HandleScope hs(iso);
    if (!PrepareStack(iso)) {
      SinkWrite(err, "not enough native stack to create an isolate");
      ok = false;
    } else {
      Local<Context> ctx = blob_len > 0 ? Context::New(iso) : NewContext(iso);
      if (ctx.IsEmpty()) {
        SinkWrite(err, "V8 could not create a context");
        ok = false;
      } else {
        Context::Scope cs(ctx);
        if (n > 0) ok = RunScripts(iso, ctx, scripts, n, err, false);
        if (ok) ri->context.Reset(iso, ctx);
      }
    }
  }
  if (!ok || ri->heap_exhausted) {
    if (ok) SinkWrite(err, "loading scripts reached the heap limit");
    ri->context.Reset();
    iso->Dispose();
    return nullptr;
  }
  return ri.release();
}

namespace {

int CallInner(RaspIsolate *ri, const char *fn, const char *const *args, const size_t *lens,
              size_t nargs, RaspSink &out) {
  Isolate *iso = ri->isolate;
  Isolate::Scope is(iso);
  HandleScope hs(iso);
  if (!PrepareStack(iso)) return RASP_V8_NO_STACK;
  Local<Context> ctx = ri->context.Get(iso);
  Context::Scope cs(ctx);
  TryCatch tc(iso);

  Local<Function> f;
  auto it = ri->functions.find(fn);
  if (it != ri->functions.end()) {
    f = it->second.Get(iso);
  } else {
    Local<String> name;
    Local<Value> v;
    if (!String::NewFromUtf8(iso, fn).ToLocal(&name) || !ctx->Global()->Get(ctx, name).ToLocal(&v) ||
        !v->IsFunction()) {
      SinkWrite(out, std::string("no global function ") + fn);
      return RASP_V8_ERROR;
    }
    f = v.As<Function>();
    ri->functions[fn].Reset(iso, f);
  }

  constexpr size_t kMaxArgs = 8;
  if (nargs > kMaxArgs) {
    SinkWrite(out, "too many arguments");
    return RASP_V8_ERROR;
  }
  Local<Value> argv[kMaxArgs];
  for (size_t i = 0; i < nargs; i++) {
    if (!args[i]) {
      argv[i] = Undefined(iso);
      continue;
    }
    Local<String> s;
    if (lens[i] > (size_t)String::kMaxLength ||
        !String::NewFromUtf8(iso, args[i], NewStringType::kNormal, (int)lens[i]).ToLocal(&s)) {
      SinkWrite(out, "argument too large for a JS string");
      return RASP_V8_ERROR;
    }
    argv[i] = s;
  }
  Local<Value> result;
  if (!f->Call(ctx, ctx->Global(), (int)nargs, argv).ToLocal(&result)) {
    if (tc.HasTerminated() || iso->IsExecutionTerminating() || ri->heap_exhausted)
      return RASP_V8_TERMINATED;
    SinkWrite(out, DescribeException(iso, tc));
    return RASP_V8_EXCEPTION;
  }
  if (result->IsString()) {
    Local<String> s = result.As<String>();
    std::string buf(s->Utf8Length(iso), '\0');
    s->WriteUtf8(iso, buf.data(), (int)buf.size(), nullptr, String::NO_NULL_TERMINATION);
    SinkWrite(out, buf);
  }
  return RASP_V8_OK;
}

}  // namespace

extern "C" int rasp_v8_call(RaspIsolate *ri, const char *fn, const char *const *args,
                            const size_t *lens, size_t nargs, RaspSink out) {
  if (!ri || !ri->isolate || !fn) return RASP_V8_ERROR;
  int rc = CallInner(ri, fn, args, lens, nargs, out);
  if (rc == RASP_V8_TERMINATED) ri->isolate->CancelTerminateExecution();
  return rc;
}

extern "C" void rasp_v8_terminate(RaspIsolate *ri) {
  if (ri && ri->isolate) ri->isolate->TerminateExecution();
}

extern "C" void rasp_v8_cancel_terminate(RaspIsolate *ri) {
  if (ri && ri->isolate) ri->isolate->CancelTerminateExecution();
}

extern "C" int rasp_v8_heap_exhausted(RaspIsolate *ri) { return ri && ri->heap_exhausted ? 1 : 0; }

extern "C" void rasp_v8_heap_stats(RaspIsolate *ri, size_t *used, size_t *limit) {
  HeapStatistics hs;
  if (ri && ri->isolate) ri->isolate->GetHeapStatistics(&hs);
  if (used) *used = hs.used_heap_size();
  if (limit) *limit = hs.heap_size_limit();
}

extern "C" void rasp_v8_isolate_free(RaspIsolate *ri) {
  if (!ri) return;
  ri->functions.clear();
  ri->context.Reset();
  if (ri->isolate) ri->isolate->Dispose();
  delete ri;
}
