/**
 * Refusing, before anything is written, a batch whose Lambda handler relies on the legacy context on a runtime that
 * has none.
 *
 * The original package's README handler is `function(event, context) { replicator.process(event).then(() =>
 * context.succeed('success')).catch((err) => context.fail(err)); }`. nodejs24.x and Lambda Managed Instances run
 * runtime client 4.x, whose context has no `succeed`, `fail` or `done`. That file still passes init (two
 * parameters), so the runtime calls it and takes its `undefined` return as the answer at once: Lambda counts the batch
 * as done before its writes land, then the missing `context.fail` crashes the process — the batch is lost. Throwing
 * synchronously from `process()` instead propagates out of the user's handler, the runtime reports a function error,
 * and the event source mapping retries the batch: nothing written, nothing lost, and the error names the fix.
 *
 * How the handler is found: both runtime clients (3.x and 4.x) load the module `_HANDLER` names under
 * `LAMBDA_TASK_ROOT` (path, module, export path); a CommonJS module loaded that way, by `require()` or by `import()`,
 * sits in `require.cache` with its exports, so the check reads the very function Lambda calls and inspects its source.
 * An ES module handler (not in `require.cache`) or a wrapped one (middleware) is not inspected, and runs as before.
 */
import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ReplicatorError } from '../replicator/errors';

/** The handler the runtime calls relies on a context this runtime does not give; nothing was written. */
export class LegacyHandlerError extends ReplicatorError {
  public constructor(handler: string, reason: string, runtime: string) {
    super(
      `dynamo-replicator refused this batch before writing anything (Lambda retries it): the handler ${handler} ${reason}, ` +
        `but ${runtime} gives handlers no context.succeed, context.fail or context.done and takes a handler's return ` +
        `value as its answer at once, before the batch's writes would land. ` +
        'Fix: use `exports.handler = async (event) => replicator.process(event)` (or return the promise: ' +
        "`return replicator.process(event)`), as dynamo-replicator's docs/library.md shows; or run nodejs22.x on-demand.",
    );
    this.name = 'LegacyHandlerError';
  }
}

/** What the check reads of the environment (process.env). */
export type RuntimeEnv = Readonly<Record<string, string | undefined>>;

/** What the check reads of the loaded modules (require.cache). */
export type LoadedModules = Readonly<Record<string, { readonly exports: unknown } | undefined>>;

const EXECUTION_ENV = /^AWS_Lambda_nodejs(\d+)\.x$/;
/** The first Node runtime whose context has no succeed/fail/done (and which refuses callback handlers). */
const FIRST_WITHOUT_LEGACY_CONTEXT = 24;

/**
 * The runtime, when it gives handlers no legacy context (runtime client 4.x): nodejs24.x or later, or Lambda Managed
 * Instances (`AWS_LAMBDA_MAX_CONCURRENCY` set, which the 4.x client itself tests by presence). `undefined` elsewhere,
 * outside Lambda included.
 */
export function runtimeWithoutLegacyContext(env: RuntimeEnv): string | undefined {
  if (env.AWS_LAMBDA_MAX_CONCURRENCY !== undefined) return 'Lambda Managed Instances';
  const major = EXECUTION_ENV.exec(env.AWS_EXECUTION_ENV ?? '')?.[1];
  return major !== undefined && Number(major) >= FIRST_WITHOUT_LEGACY_CONTEXT ? `nodejs${major}.x` : undefined;
}

/** Where a `_HANDLER` setting points, as the runtime clients read it: the module's files and the export path. */
export function handlerLocation(handler: string, taskRoot: string): { files: string[]; exportPath: string[] } {
  const name = basename(handler);
  const moduleRoot = handler.slice(0, handler.length - name.length);
  const dot = name.indexOf('.');
  const moduleName = dot < 0 ? name : name.slice(0, dot);
  const exportPath = dot < 0 ? [] : name.slice(dot + 1).split('.');
  const base = resolve(taskRoot, moduleRoot, moduleName);
  return { files: ['', '.js', '.cjs'].map((extension) => base + extension), exportPath };
}

/** The loaded module's function at `exportPath` (require.cache is keyed by real paths), or `undefined`. */
function loadedHandler(
  location: { files: readonly string[]; exportPath: readonly string[] },
  modules: LoadedModules,
): ((...args: unknown[]) => unknown) | undefined {
  const realPath = (file: string): string => {
    try {
      return realpathSync(file);
    } catch {
      return file;
    }
  };
  const loaded =
    location.files.map((file) => modules[file]).find(Boolean) ??
    location.files.map((file) => modules[realPath(file)]).find(Boolean);
  if (!loaded || location.exportPath.length === 0) return undefined;
  const value = location.exportPath.reduce<unknown>(
    (nested, key) =>
      (typeof nested === 'object' || typeof nested === 'function') && nested !== null
        ? (nested as Record<string, unknown>)[key]
        : undefined,
    loaded.exports,
  );
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown) : undefined;
}

/**
 * The source with comments removed and the contents of string and template literals blanked, so that
 * `// context.succeed(...)` left behind after a migration, or a message mentioning it, does not count as code.
 * (A regular-expression literal holding a quote or a comment opener can confuse it; handlers rarely have one.)
 */
function codeOf(source: string): string {
  let code = '';
  for (let index = 0; index < source.length; ) {
    const char = source[index] as string;
    const next = source[index + 1];
    if (char === '/' && next === '/') {
      const end = source.indexOf('\n', index);
      index = end < 0 ? source.length : end;
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', index + 2);
      index = end < 0 ? source.length : end + 2;
      code += ' ';
    } else if (char === "'" || char === '"' || char === '`') {
      let end = index + 1;
      while (end < source.length && source[end] !== char) end += source[end] === '\\' ? 2 : 1;
      code += `${char}${char}`;
      index = end + 1;
    } else {
      code += char;
      index += 1;
    }
  }
  return code;
}

/** A function's code (without comments and strings) in parts: its top-level parameters, as written, and its body. */
interface FunctionParts {
  readonly parameters: readonly string[];
  readonly body: string;
  /** An arrow function whose body is an expression, which it returns. */
  readonly expressionArrow: boolean;
}

/** Splits `code` (from {@link codeOf}) into parameters and body: `function`, arrow and method forms. */
function partsOf(code: string): FunctionParts {
  const text = code.trim().replace(/^async\s+/, '');
  const single = /^([A-Za-z_$][\w$]*)\s*=>/.exec(text);
  if (single) {
    const body = text.slice(single[0].length);
    return { parameters: [single[1] as string], body, expressionArrow: !body.trimStart().startsWith('{') };
  }
  const open = text.indexOf('(');
  if (open < 0) return { parameters: [], body: text, expressionArrow: false };
  const parameters: string[] = [];
  let depth = 0;
  let start = open + 1;
  let close = text.length;
  for (let index = open; index < text.length; index++) {
    const char = text[index];
    if (char === '(' || char === '[' || char === '{') depth += 1;
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
    if ((char === ',' && depth === 1) || depth === 0) {
      parameters.push(text.slice(start, index).trim());
      start = index + 1;
    }
    if (depth === 0) {
      close = index;
      break;
    }
  }
  const rest = text.slice(close + 1).trimStart();
  const arrow = open === 0 && rest.startsWith('=>');
  const body = arrow ? rest.slice(2) : rest;
  return {
    parameters: parameters.filter((parameter) => parameter !== ''),
    body,
    expressionArrow: arrow && !body.trimStart().startsWith('{'),
  };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Why `handler` depends on the legacy context, or `undefined` when it does not (as far as its source shows):
 * - it calls (or passes on) `succeed`, `fail` or `done` of its second parameter, and never tests them first as code
 *   written for both kinds of runtime does (`if (context.succeed)`, `typeof context.succeed`, `context.succeed?.(…)`):
 *   on the 4.x client they are undefined, so it fails after the handler has already answered, or after the writes;
 * - or it is a non-async function (or block-bodied arrow) without a `return` anywhere: it answers `undefined` at once
 *   on the 4.x client, whatever it started (the 3.x client waited for its callback or the empty event loop).
 */
export function legacyHandlerShape(handler: (...args: unknown[]) => unknown): string | undefined {
  const code = codeOf(Function.prototype.toString.call(handler));
  if (/^\s*class\b/.test(code)) return undefined;
  const { parameters, body, expressionArrow } = partsOf(code);
  const context = parameters[1]?.replace(/=[\s\S]*$/, '').trim();
  if (handler.length >= 2 && context !== undefined && IDENTIFIER.test(context)) {
    const name = context.replace(/\$/g, '\\$');
    const pattern = new RegExp(
      `(typeof\\s+|!\\s*|if\\s*\\(\\s*)?(?<![\\w$.])${name}\\s*(\\?\\.|\\.)\\s*(succeed|fail|done)\\b(\\s*(?:\\?\\.|&&|\\|\\||\\?|[!=]==?))?`,
      'g',
    );
    const uses = [...body.matchAll(pattern)];
    const guarded = uses.some((use) => use[1] !== undefined || use[2] === '?.' || use[4] !== undefined);
    const calls = [...new Set(uses.map((use) => `${context}.${use[3]}`))];
    if (calls.length > 0 && !guarded) return `uses ${calls.join(' and ')}`;
  }
  const plain = handler.constructor?.name === 'Function' && !expressionArrow;
  if (plain && !/\breturn\b/.test(body)) return 'returns nothing (it has no return statement)';
  return undefined;
}

/**
 * Throws a {@link LegacyHandlerError} when this runtime has no legacy context and the function Lambda calls (the
 * `_HANDLER` export, when it is a loaded CommonJS module) relies on it. Synchronous on purpose: thrown from
 * `process()`, it leaves the user's non-async handler before any write starts.
 */
export function refuseLegacyHandler(env: RuntimeEnv, modules: LoadedModules): void {
  const runtime = runtimeWithoutLegacyContext(env);
  const { _HANDLER: handlerSetting, LAMBDA_TASK_ROOT: taskRoot } = env;
  if (!runtime || !handlerSetting || !taskRoot) return;
  const handler = loadedHandler(handlerLocation(handlerSetting, taskRoot), modules);
  const reason = handler ? legacyHandlerShape(handler) : undefined;
  if (reason) throw new LegacyHandlerError(handlerSetting, reason, runtime);
}
