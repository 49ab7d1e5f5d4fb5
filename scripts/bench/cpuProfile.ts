/**
 * V8 CPU profiles of chosen stretches of the benchmark process (node:inspector, the same sampler as `node
 * --cpu-prof`), and their self time by function. The bundle is minified: each of its frames is named through its
 * source map as the function and source line it was built from, so the summary reads `decodeValue
 * (src/replicator/image.ts:99)` rather than `Xe (dist/index.js:3:1234)`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One V8 CPU profile, as the inspector's Profiler domain returns it. */
interface Profile {
  readonly nodes: readonly {
    readonly id: number;
    readonly hitCount?: number;
    readonly children?: readonly number[];
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
      readonly columnNumber: number;
    };
  }[];
  readonly startTime: number;
  readonly endTime: number;
}

/** A function's share of a profile's samples: in it alone (self), or in it and what it called (inclusive). */
export interface FrameTime {
  /** `name (source:line)`, or V8's own entries: `(garbage collector)`, `(program)`. */
  readonly frame: string;
  /** Share of all samples, 0–1. */
  readonly share: number;
}

/** Samples every `intervalUs` microseconds while `work` runs; resolves with the profile. */
export async function profileWhile(work: () => Promise<void>, intervalUs = 100): Promise<Profile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    return profile;
  } finally {
    session.disconnect();
  }
}

/** Writes `profile` where Chrome DevTools and VS Code open it (a `.cpuprofile` file). */
export function writeProfile(path: string, profile: Profile): void {
  writeFileSync(path, JSON.stringify(profile));
}

/** Names the bundle's frames from its source map; frames of other files keep V8's name. */
class FrameNamer {
  private readonly map: SourceMap;
  private readonly bundleUrl: string;
  private readonly root: string;
  private readonly sources = new Map<string, string[]>();

  public constructor(bundlePath: string) {
    this.map = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')));
    this.bundleUrl = pathToFileURL(bundlePath).href;
    this.root = dirname(bundlePath);
  }

  public name(frame: Profile['nodes'][number]['callFrame']): string {
    const { functionName, url, lineNumber, columnNumber } = frame;
    if (url !== this.bundleUrl) {
      const where = url ? ` (${relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1})` : '';
      return `${functionName || '(anonymous)'}${where}`;
    }
    const entry = this.map.findEntry(lineNumber, columnNumber) as {
      originalSource?: string;
      originalLine?: number;
      name?: string;
    };
    if (!entry.originalSource) return `${functionName || '(anonymous)'} (bundle)`;
    // From the project's root, wherever the bundle lies (a copy of another build's bundle, say).
    const path = relative(process.cwd(), resolve(this.root, entry.originalSource));
    const source = /(?:^|\/)((?:src|node_modules)\/.*)$/.exec(path)?.[1] ?? path;
    const line = (entry.originalLine ?? 0) + 1;
    return `${entry.name ?? this.nameAt(source, line) ?? '(anonymous)'} (${source}:${line})`;
  }

  /** The function declared on `line` of `source`, read from the source itself. */
  private nameAt(source: string, line: number): string | undefined {
    let lines = this.sources.get(source);
    if (!lines) {
      try {
        lines = readFileSync(source, 'utf8').split('\n');
      } catch {
        lines = [];
      }
      this.sources.set(source, lines);
    }
    const text = lines[line - 1] ?? '';
    return /(?:function\*?\s+|(?:const|let|var)\s+|^\s*(?:async\s+|static\s+|get\s+|set\s+|public\s+|private\s+)*)([\w$]+)\s*(?:=|\(|<)/.exec(
      text,
    )?.[1];
  }
}

/** Self time by function, largest first, the bundle's frames named from `bundlePath`'s source map. */
export function selfTimes(profile: Profile, bundlePath: string): FrameTime[] {
  const namer = new FrameNamer(bundlePath);
  const hits = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const count = node.hitCount ?? 0;
    if (count === 0) continue;
    const frame = namer.name(node.callFrame);
    hits.set(frame, (hits.get(frame) ?? 0) + count);
    total += count;
  }
  return [...hits]
    .map(([frame, count]) => ({ frame, share: total === 0 ? 0 : count / total }))
    .sort((a, b) => b.share - a.share);
}

/**
 * Inclusive time by function, largest first, for the frames `keep` selects: each sample counts once for every
 * function on its stack, however often that function recurses.
 */
export function inclusiveTimes(profile: Profile, bundlePath: string, keep: (frame: string) => boolean): FrameTime[] {
  const namer = new FrameNamer(bundlePath);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map<string, number>();
  let total = 0;
  const visit = (id: number, onStack: ReadonlyMap<string, number>): void => {
    const node = byId.get(id);
    if (!node) return;
    const frame = namer.name(node.callFrame);
    const stack = new Map(onStack);
    stack.set(frame, (stack.get(frame) ?? 0) + 1);
    const count = node.hitCount ?? 0;
    total += count;
    if (count > 0) for (const name of stack.keys()) hits.set(name, (hits.get(name) ?? 0) + count);
    for (const child of node.children ?? []) visit(child, stack);
  };
  const root = profile.nodes[0];
  if (root) visit(root.id, new Map());
  return [...hits]
    .filter(([frame]) => keep(frame))
    .map(([frame, count]) => ({ frame, share: total === 0 ? 0 : count / total }))
    .sort((a, b) => b.share - a.share);
}
