#!/usr/bin/env node
// Writes docs/errors.md from @brine/contracts' ERROR_CATALOGUE (run after `pnpm run build`);
// `--check` fails when the file on disk differs. packages/contracts/test/errors-doc.test.ts runs the check.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SECTIONS = [
  ['Cancellation, time-outs and closing', ['AbortError', 'TimeoutError', 'ClosedError', 'StateError']],
  ['Transport', ['TransportError']],
  ['Bad input on the wire', ['ProtocolError']],
  ['Authentication and authenticity', ['AuthError']],
  ['Crypto and keys', ['CryptoError', 'KeyStoreError']],
  ['Configuration and arguments', ['ConfigError']],
  ['Handlers and remote errors', ['BrineError']],
];

export function renderErrorsDoc(catalogue) {
  const out = [
    '# Error codes',
    '',
    '<!-- Generated from ERROR_CATALOGUE in packages/contracts/src/errors/catalogue.ts by',
    '     `pnpm run docs:errors`; edit the catalogue, not this file. -->',
    '',
    'Every error Brine raises, rejects with or emits is a `BrineError` (from `@brine/contracts`) with a',
    'stable `code`, a message for humans, an optional `cause` (the error it wraps) and optional `details`',
    '(peer, sizes, ids — never secrets). Match on `code`; messages may change.',
    '',
    'Each code belongs to exactly one class, and every class takes the same arguments:',
    '`new TransportError(ErrorCodes.UNREACHABLE, message, { cause, details })`. `brineError(code, message)`',
    "builds the code's class when the code is only known at run time. `isBrineError(value)` and",
    '`hasErrorCode(value, code)` recognise errors from any installed copy of `@brine/contracts`',
    '(`instanceof` only recognises its own copy).',
    '',
  ];
  const entries = Object.entries(catalogue);
  for (const [title, classes] of SECTIONS) {
    const rows = entries.filter(([, e]) => classes.includes(e.class));
    if (rows.length === 0) continue;
    out.push(`## ${title}`, '', '| code | class | when |', '|---|---|---|');
    for (const [code, e] of rows) out.push(`| \`${code}\` | ${e.class} | ${e.when} |`);
    out.push('');
  }
  const placed = new Set(SECTIONS.flatMap(([, c]) => c));
  const stray = entries.filter(([, e]) => !placed.has(e.class)).map(([code]) => code);
  if (stray.length) throw new Error(`no docs section for ${stray.join(', ')}`);
  return out.join('\n');
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const { ERROR_CATALOGUE } = await import('../packages/contracts/dist/index.js');
  const target = fileURLToPath(new URL('../docs/errors.md', import.meta.url));
  const text = renderErrorsDoc(ERROR_CATALOGUE);
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      console.error('docs/errors.md is out of date: run pnpm run docs:errors');
      process.exit(1);
    }
  } else writeFileSync(target, text);
}
