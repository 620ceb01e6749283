// TypeScript declarations of the php-rasp plugin API (docs/plugin-api.md).
//
// Plugins are plain JavaScript; these declarations give editors completion
// and let `tsc --checkJs` find typos in check types, params fields and
// verdicts. Use them from a plugin directory with a jsconfig.json like
//
//   { "compilerOptions": { "checkJs": true, "noEmit": true, "target": "es2021",
//                          "lib": ["es2021"], "types": [] },
//     "files": ["/path/to/php-rasp/plugins/types/rasp.d.ts", "my-plugin.js"] }
//
// or with a reference comment at the top of a plugin:
//
//   /// <reference path="/path/to/php-rasp/plugins/types/rasp.d.ts" />
//
// Plugins run in V8 (ES2021) with no module system, no timers and no I/O:
// the only globals beyond the ECMAScript ones are declared here.
// `make test-types` type-checks plugins/official/plugin.js against this file.

/** Every check type a plugin can register for (`plugin.register(type, ...)`). */
type RaspCheckType =
  | 'sql'
  | 'sql_exception'
  | 'sqlPrepared'
  | 'dbConnection'
  | 'command'
  | 'readFile'
  | 'writeFile'
  | 'deleteFile'
  | 'copy'
  | 'rename'
  | 'directory'
  | 'include'
  | 'fileUpload'
  | 'ssrf'
  | 'ssrfRedirect'
  | 'xxe'
  | 'eval'
  | 'deserialization'
  | 'request'
  | 'requestEnd'
  | 'response'
  | 'webshell_eval'
  | 'webshell_command'
  | 'webshell_callable'
  | 'webshell_file_put_contents'
  | 'webshell_ld_preload'
  | 'xss_echo'
  | 'xss_userinput';

/** What a verdict asks for: stop the request, write an alarm, or let the call go. */
type RaspAction = 'block' | 'log' | 'ignore';

/** Fields every params object has. */
interface RaspBaseParams {
  /** The PHP stack, innermost frame first, as `"file@function:line"`; depth `plugin.maxstack`. */
  stack: string[];
}

/** `sql`, `sqlPrepared`: a query about to be sent. */
interface RaspSqlParams extends RaspBaseParams {
  query: string;
  /** `mysql`, `pgsql`, `sqlite`, or the PDO driver name. */
  server: string;
}

/** `sql_exception`: the server reported an error for a query (or a connection). */
interface RaspSqlExceptionParams extends RaspBaseParams {
  server: string;
  /** Driver error code as a string (`"1064"`, SQLSTATE `"42601"`). */
  error_code: string;
  error_msg: string;
  /** The query, for query errors. */
  query?: string;
  /** Connection fields, for connect errors. */
  hostname?: string;
  port?: string;
  username?: string;
  socket?: string;
  connectionString?: string;
}

/** `dbConnection`: a database connection is opened. */
interface RaspDbConnectionParams extends RaspBaseParams {
  server: string;
  hostname: string;
  port: string;
  username: string;
  socket: string;
  connectionString: string;
}

/** `command`: a shell command (what `/bin/sh -c` gets). */
interface RaspCommandParams extends RaspBaseParams {
  command: string;
}

/** `readFile`, `writeFile`, `deleteFile`, `directory`. */
interface RaspFileParams extends RaspBaseParams {
  /** The path as the application gave it. */
  path: string;
  /** Resolved, also for files that do not exist yet. */
  realpath: string;
  /** The stream wrapper of `path` (`file`, `php`, `phar`, `zip`, ...). */
  protocol?: string;
  /** The PHP function (or method) that made the call. */
  function?: string;
}

/** `include`: include/require of a file or stream. */
interface RaspIncludeParams extends RaspBaseParams {
  /** The raw operand. */
  path: string;
  /** The raw operand (same as `path`; kept for established plugins). */
  url: string;
  realpath: string;
  function: 'include' | 'include_once' | 'require' | 'require_once' | string;
}

/** `copy`, `rename`: both paths resolved. */
interface RaspCopyParams extends RaspBaseParams {
  source: string;
  dest: string;
}

/** `fileUpload`: `move_uploaded_file` of an upload. */
interface RaspFileUploadParams extends RaspBaseParams {
  /** The form field. */
  name: string;
  /** The client's file name. */
  filename: string;
  dest_path: string;
  dest_realpath: string;
  /** The first 4 KB of the file. */
  content: string;
}

/** `ssrf`: an outbound request. */
interface RaspSsrfParams extends RaspBaseParams {
  url: string;
  hostname: string;
  port: string;
  /** Resolved addresses of `hostname`. */
  ip: string[];
  function: string;
}

/** `ssrfRedirect`: an outbound request was redirected. */
interface RaspSsrfRedirectParams extends RaspSsrfParams {
  url2: string;
  hostname2: string;
  port2: string;
  ip2: string[];
  http_status: string;
  http_message: string;
}

/** `xxe`: an XML external entity is about to be loaded. */
interface RaspXxeParams extends RaspBaseParams {
  /** The entity's system or public id. */
  entity: string;
  type: string;
}

/** `eval`: code compiled at run time (`eval`, `assert`, `create_function` ...). */
interface RaspEvalParams extends RaspBaseParams {
  code: string;
  function: string;
}

/** `deserialization`: `unserialize` of data. */
interface RaspDeserializationParams extends RaspBaseParams {
  data: string;
  /** Class names in the payload. */
  clazz: string[];
}

/** `response`: the response body. */
interface RaspResponseParams extends RaspBaseParams {
  content: string;
  content_type: string;
}

/** Types without fields of their own (`request`, `requestEnd`) and the built-in
 *  native types: fields beyond `stack` are not part of the stable API. */
interface RaspOtherParams extends RaspBaseParams {
  [field: string]: unknown;
}

/** The params object of each check type. */
interface RaspParamsByType {
  sql: RaspSqlParams;
  sqlPrepared: RaspSqlParams;
  sql_exception: RaspSqlExceptionParams;
  dbConnection: RaspDbConnectionParams;
  command: RaspCommandParams;
  readFile: RaspFileParams;
  writeFile: RaspFileParams;
  deleteFile: RaspFileParams;
  directory: RaspFileParams;
  include: RaspIncludeParams;
  copy: RaspCopyParams;
  rename: RaspCopyParams;
  fileUpload: RaspFileUploadParams;
  ssrf: RaspSsrfParams;
  ssrfRedirect: RaspSsrfRedirectParams;
  xxe: RaspXxeParams;
  eval: RaspEvalParams;
  deserialization: RaspDeserializationParams;
  request: RaspOtherParams;
  requestEnd: RaspOtherParams;
  response: RaspResponseParams;
  webshell_eval: RaspOtherParams;
  webshell_command: RaspOtherParams;
  webshell_callable: RaspOtherParams;
  webshell_file_put_contents: RaspOtherParams;
  webshell_ld_preload: RaspOtherParams;
  xss_echo: RaspOtherParams;
  xss_userinput: RaspOtherParams;
}

/** `context.server`. */
interface RaspServerInfo {
  language: 'php' | string;
  /** The PHP version. */
  version: string;
  os: string;
}

/** The request, one object shared by all checks of a request. In the CLI the
 *  request fields are empty. To cache derived data per request, key a
 *  `WeakMap` by the context object. */
interface RaspContext {
  /** `scheme://host[:port]/path?query`; `''` in the CLI. */
  url: string;
  path: string;
  /** Lower case: `get`, `post`, ... */
  method: string;
  protocol: string;
  querystring: string;
  /** The peer address. */
  remoteAddr: string;
  /** The client behind `clientip.header`, else the peer. */
  clientIp: string;
  /** Request headers, lower-case dash names. */
  header: Record<string, string>;
  /** GET then POST merged; every value is an array (`a[]=x`, `a[k]=y` flatten into `a`). */
  parameter: Record<string, string[]>;
  /** The parsed JSON body (content type `*json*`), `{}` otherwise. */
  json: any;
  cookie: Record<string, string>;
  /** The first `body.maxbytes` bytes of the raw body. */
  body: string;
  server: RaspServerInfo;
  /** The document root. */
  appBasePath: string;
  /** Also in alarms and on the block page. */
  requestId: string;
  /** `parameter` plus the leaves of the JSON body (`{ 'user.name': ['bob'] }`). */
  get_all_parameter(): Record<string, string[]>;
}

/** A handler's answer. `undefined`/`null` mean ignore.
 *
 *  `action` also admits `string`: a handler written as a separate function
 *  (not inline in `register`) gets no contextual type, and TypeScript widens
 *  its `'ignore'` to `string`. Anything but block/log/ignore is a plugin
 *  error at run time, and `rasp plugin test` fails such a case. */
interface RaspVerdict {
  action: RaspAction | (string & {});
  /** Why; shown in the alarm (clipped to 4096 characters). */
  message?: string;
  /** 0..100 (clamped). */
  confidence?: number;
  /** The algorithm inside the plugin, e.g. `sql_userinput`. */
  algorithm?: string;
}

/** A handler for check type `T`. Handlers must be synchronous. */
type RaspHandler<T extends RaspCheckType> = (
  params: RaspParamsByType[T],
  context: RaspContext,
) => RaspVerdict | null | undefined | void;

/** Token kinds of `RASP.sql_tokenize`. */
type RaspSqlTokenType =
  | 'word'
  | 'quoted_identifier'
  | 'string'
  | 'number'
  | 'operator'
  | 'punctuation'
  | 'comment'
  | 'version_comment'
  | 'variable'
  | 'other';

/** Token kinds of `RASP.cmd_tokenize`. */
type RaspCmdTokenType =
  | 'word'
  | 'operator'
  | 'redirect'
  | 'command_substitution'
  | 'process_substitution'
  | 'parameter_expansion'
  | 'arithmetic_expansion'
  | 'comment'
  | 'heredoc'
  | 'other';

/** One token: `input.slice(start, stop) === text` (JS string indices). */
interface RaspToken<K extends string = string> {
  start: number;
  stop: number;
  text: string;
  type: K;
  /** The quote, comment or substitution never closes. */
  unterminated?: true;
}

/** Options of `RASP.request_inputs` and of an `input` gate condition (the shape of the official plugin's `meta`). */
interface RaspInputOptions {
  /** Raw values shorter than this (UTF-16 units, like `.length`) are left out; default 1. */
  min_length?: number;
  /** Lower-case request header names whose values count; default none. */
  headers?: string[];
  /** Add each value's URL-, HTML- and JSON-decoded forms; default true. */
  decode_values?: boolean;
  /** Values longer than this are not decoded; default 16384. */
  max_decode_length?: number;
  [other: string]: unknown;
}

/** One request value of `RASP.request_inputs()`. */
interface RaspInput {
  source: 'parameter' | 'json' | 'cookie' | 'header';
  /** Parameter, cookie or header name; a dotted path for JSON body leaves (`user.tags.0`). */
  name: string;
  value: string;
  /** Set on a decoded form of the value before it. */
  decoded?: 'url' | 'html' | 'json';
}

/** A gate condition: when a handler wants to see an event (checked natively, before V8). */
type RaspCondition =
  /** A request value (the list `RASP.request_inputs(input)` returns) at least `min_length` long occurs in `params[param]`. */
  | { param: string; input: RaspInputOptions | true; min_length?: number }
  /** `params[param]` contains one of the strings, ASCII case ignored. */
  | { param: string; contains: string[] };

/** Options of `plugin.register`. */
interface RaspRegisterOptions {
  /** Call the handler only when one of these holds (a missing or non-string param always holds).
   *  A function is called once after rasp.yml's overrides are merged, so it can read algorithmConfig. */
  when?: RaspCondition | RaspCondition[] | (() => RaspCondition | RaspCondition[]);
}

/** A plugin. `new RASP(name)` creates one; the name shows in alarms and logs. */
declare class RASP {
  /** @param name non-empty; shown in alarms, logs and `php --ri rasp`. */
  constructor(name: string);
  readonly name: string;
  /** Free text shown in `php --ri rasp` and logs. */
  version: string;
  /** The plugin's own settings; rasp.yml `plugin.algorithm_config` is merged into it in place after load. */
  algorithmConfig?: Record<string, any>;
  /** Runs `handler(params, context)` for every check of `type` (or, with `options.when`, for the
   *  checks its conditions let through); an unknown type throws at load. */
  register<T extends RaspCheckType>(type: T, handler: RaspHandler<T>, options?: RaspRegisterOptions): void;
  /** A plugin log line `[name] args...` (at most 100 per check). */
  log(...args: unknown[]): void;

  /** Native SQL tokenizer; `server` picks the dialect (`mysql`, `pgsql`, `sqlite`, `mssql`, `oracle`, else ANSI). */
  static sql_tokenize(query: string, server?: string): RaspToken<RaspSqlTokenType>[];
  /** Native `/bin/sh -c` tokenizer. */
  static cmd_tokenize(command: string): RaspToken<RaspCmdTokenType>[];
  /** `sql_tokenize` without token objects: `[start, stop, kind, start, stop, kind, ...]`,
   *  `kind & 0xff` indexing `RASP.SQL_TOKEN_TYPES`, `kind & RASP.TOKEN_UNTERMINATED`
   *  marking an unterminated token; a new array per call. Much cheaper on hot paths
   *  and long inputs. */
  static sql_tokenize_flat(query: string, server?: string): Uint32Array;
  /** `cmd_tokenize` without token objects; kinds index `RASP.CMD_TOKEN_TYPES`. */
  static cmd_tokenize_flat(command: string): Uint32Array;
  /** Token type names by `kind & 0xff` of `sql_tokenize_flat`. */
  static readonly SQL_TOKEN_TYPES: readonly RaspSqlTokenType[];
  /** Token type names by `kind & 0xff` of `cmd_tokenize_flat`. */
  static readonly CMD_TOKEN_TYPES: readonly RaspCmdTokenType[];
  /** The bit of a flat token's kind that marks it unterminated (0x100). */
  static readonly TOKEN_UNTERMINATED: number;
  /** Always `'v8'`. */
  static get_jsengine(): 'v8';
  /** The current request's values and their decoded forms, computed natively once per request
   *  and options: the list `input` gate conditions search. */
  static request_inputs(options?: RaspInputOptions): readonly RaspInput[];
  /** The entries of `request_inputs(options)` at least `min_length` UTF-16 units long (default 1)
   *  that occur in `text`, in list order; searched natively by the extension. */
  static inputs_in(text: string, options?: RaspInputOptions, min_length?: number): readonly RaspInput[];
  /** The raw `plugin.algorithm_config` object of rasp.yml. */
  static algorithmConfig: Record<string, any>;
}
