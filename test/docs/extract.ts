// Finds the commands and the TypeScript snippets the documentation shows, so that a test can run or
// check each one (test/docs/commands.test.ts, test/docs/snippets.test.ts).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** A command as the documentation shows it, and where. */
export interface DocCommand {
  /** The command line, comments and `$ ` prompts removed, continuation lines joined. */
  command: string;
  /** `path:line` of its first occurrence. */
  where: string;
}

/** A fenced TypeScript block. */
export interface DocSnippet {
  /** `path#n`: the n-th (from 1) TypeScript block of that file. */
  id: string;
  where: string;
  code: string;
}

/** The words a shell command starts with; an inline code span starting with one of them is a command. */
const COMMAND_WORDS = new Set(['pnpm', 'npm', 'npx', 'node', 'bash', 'brine', 'brine-bench', 'tsx', 'sh']);
const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'shell-session']);
const TS_LANGS = new Set(['ts', 'typescript', 'mts']);

/** The Markdown files whose commands are tested: the root documents, the package READMEs, docs/, examples/. */
export function docFiles(): string[] {
  const root = readdirSync(ROOT).filter((f) => f.endsWith('.md'));
  const packages = readdirSync(join(ROOT, 'packages'))
    .map((d) => `packages/${d}/README.md`)
    .filter((f) => existsSync(join(ROOT, f)));
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return [...root, ...packages, ...docs, ...markdownUnder('examples')].sort();
}

function markdownUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : markdownUnder(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

interface Block {
  lang: string;
  line: number;
  lines: string[];
}

function parse(text: string): { blocks: Block[]; prose: Array<{ line: number; text: string }> } {
  const blocks: Block[] = [];
  const prose: Array<{ line: number; text: string }> = [];
  let open: Block | undefined;
  text.split('\n').forEach((line, i) => {
    const fence = /^\s*```\s*([\w-]*)/.exec(line);
    if (fence) {
      if (open) {
        blocks.push(open);
        open = undefined;
      } else open = { lang: (fence[1] ?? '').toLowerCase(), line: i + 1, lines: [] };
    } else if (open) open.lines.push(line);
    else prose.push({ line: i + 1, text: line });
  });
  return { blocks, prose };
}

/** Strips a trailing ` # comment` that is outside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function shellLines(block: Block): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  const prompts = block.lang === 'console' || block.lang === 'shell-session';
  let pending: { line: number; text: string } | undefined;
  block.lines.forEach((raw, i) => {
    let text = raw.trim();
    if (pending) {
      pending.text += ' ' + text.replace(/\\$/, '').trim();
      if (!text.endsWith('\\')) {
        out.push(pending);
        pending = undefined;
      }
      return;
    }
    if (prompts) {
      if (!text.startsWith('$ ')) return; // output lines
      text = text.slice(2);
    } else if (text.startsWith('$ ')) text = text.slice(2);
    text = stripComment(text).trim();
    if (text === '') return;
    const entry = { line: block.line + 1 + i, text: text.replace(/\\$/, '').trim() };
    if (text.endsWith('\\')) pending = entry;
    else out.push(entry);
  });
  return out;
}

function firstWord(command: string): string {
  const words = command.split(/\s+/).filter((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w));
  return words[0] ?? '';
}

/** Every command the documentation shows: shell blocks, `$ ` lines in other blocks, inline `pnpm …`-like spans. */
export function docCommands(files = docFiles()): DocCommand[] {
  const seen = new Map<string, DocCommand>();
  const add = (command: string, where: string) => {
    const normal = command.replace(/\s+/g, ' ').trim();
    if (!seen.has(normal)) seen.set(normal, { command: normal, where });
  };
  for (const file of files) {
    const { blocks, prose } = parse(readFileSync(join(ROOT, file), 'utf8'));
    for (const block of blocks) {
      const lines = SHELL_LANGS.has(block.lang)
        ? shellLines(block)
        : shellLines({ ...block, lang: 'console' }).filter(() => !TS_LANGS.has(block.lang));
      for (const { line, text } of lines) add(text, `${file}:${line}`);
    }
    for (const { line, text } of prose) {
      for (const match of text.matchAll(/(?<!`)`([^`]+)`(?!`)/g)) {
        const span = match[1]!.trim();
        if (COMMAND_WORDS.has(firstWord(span))) add(span.replace(/^\$ /, ''), `${file}:${line}`);
      }
    }
  }
  return [...seen.values()];
}

/** Every fenced TypeScript block of the documentation. */
export function docSnippets(files = docFiles()): DocSnippet[] {
  return files.flatMap((file) => {
    const { blocks } = parse(readFileSync(join(ROOT, file), 'utf8'));
    return blocks
      .filter((b) => TS_LANGS.has(b.lang))
      .map((b, i) => ({ id: `${file}#${i + 1}`, where: `${file}:${b.line}`, code: b.lines.join('\n') + '\n' }));
  });
}

export function rel(path: string): string {
  return relative(ROOT, path);
}
