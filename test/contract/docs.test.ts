/**
 * The README is the front door and docs/ holds the rest: every docs/*.md is linked from the README (a document no
 * one links to is never read), and every relative link in the README and in docs/ points to a file that exists —
 * and, when it names an anchor in a Markdown file, to a heading of that file (as GitHub makes anchors of headings).
 * The checker is shown to fail on a missing file, a missing anchor and an unlinked document.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { projectRoot } from '../../harness/bundle';

const root = projectRoot();

/** A Markdown file's text without its fenced code blocks, where `# x` is not a heading nor `[x](y)` a link. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** A Markdown file's text without code, fenced or inline, where `[x](y)` is not a link. */
function proseOf(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '');
}

/** The targets of the inline links `[text](target)` of a Markdown file, outside code. */
function linksOf(markdown: string): string[] {
  return [...proseOf(markdown).matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map(([, target]) => target ?? '');
}

/** GitHub's anchor for a heading: its text lowercased, punctuation dropped, spaces made hyphens. */
function slugOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings; a repeated heading gets `-1`, `-2`, … as on GitHub. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, text] of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = slugOf(text ?? '');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The documents under test, relative to the project root: README.md and every docs/*.md. */
function documents(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('docs', name));
  return ['README.md', ...docs];
}

/**
 * Every relative link of `files` (path → text) that does not resolve: `file: target (why)`. A target resolves to a
 * file in `files` or on disk; an anchor must be a heading of the Markdown file it points into.
 */
function brokenLinks(files: ReadonlyMap<string, string>): string[] {
  const textOf = (path: string): string | undefined =>
    files.get(path) ?? (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined);
  const broken: string[] = [];
  for (const [file, markdown] of files) {
    for (const target of linksOf(markdown)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
      const [path = '', anchor] = target.split('#');
      const resolved = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
      if (resolved.startsWith('..') || (!files.has(resolved) && !existsSync(join(root, resolved)))) {
        broken.push(`${file}: ${target} (no such file)`);
        continue;
      }
      if (anchor === undefined || !resolved.endsWith('.md')) continue;
      if (!anchorsOf(textOf(resolved) ?? '').has(anchor)) broken.push(`${file}: ${target} (no such heading)`);
    }
  }
  return broken;
}

/** The docs/*.md files that no link of the README points to. */
function unlinkedDocs(files: ReadonlyMap<string, string>): string[] {
  const linked = new Set(linksOf(files.get('README.md') ?? '').map((target) => normalize(target.split('#')[0] ?? '')));
  return [...files.keys()].filter((file) => file.startsWith('docs') && !linked.has(file));
}

describe('the README and docs/', () => {
  const files = new Map(documents().map((file) => [file, readFileSync(join(root, file), 'utf8')]));

  test('the README links every document in docs/', () => {
    // Act
    const unlinked = unlinkedDocs(files);

    // Assess
    expect(unlinked).toEqual([]);
    expect(files.size).toBeGreaterThan(1);
  });

  test('every relative link points to a file that exists, and every anchor to a heading of its file', () => {
    // Act
    const broken = brokenLinks(files);

    // Assess
    expect(broken).toEqual([]);
    expect([...files.values()].flatMap(linksOf).some((target) => target.includes('#'))).toBe(true);
  });

  test('the checkers name a missing file, a missing heading and an unlinked document', () => {
    // Prepare
    const readme = files.get('README.md') ?? '';
    const withBrokenLinks = new Map(files);
    withBrokenLinks.set(
      'README.md',
      `${readme}\n[gone](docs/gone.md) [no heading](docs/operations.md#no-such-heading) [here](#nowhere)\n`,
    );
    withBrokenLinks.set('docs/unlinked.md', '# Unlinked\n\n[up](../README.md#set-it-up-on-aws)\n');

    // Act
    const broken = brokenLinks(withBrokenLinks);
    const unlinked = unlinkedDocs(withBrokenLinks);

    // Assess
    expect(broken).toEqual([
      'README.md: docs/gone.md (no such file)',
      'README.md: docs/operations.md#no-such-heading (no such heading)',
      'README.md: #nowhere (no such heading)',
    ]);
    expect(unlinked).toEqual(['docs/unlinked.md']);
    expect(slugOf("2. Create the function's role")).toBe('2-create-the-functions-role');
    expect(slugOf('Fast initial load (`--write-mode batch`)')).toBe('fast-initial-load---write-mode-batch');
    expect(slugOf('Streams without new images (KEYS_ONLY, OLD_IMAGE)')).toBe(
      'streams-without-new-images-keys_only-old_image',
    );
  });
});
