/**
 * The error model: each code raised as exactly one class, one constructor shape, recognised
 * across package copies, and docs/errors.md generated from the same table.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BrineError,
  ERROR_CATALOGUE,
  ErrorCodes,
  StateError,
  TransportError,
  brineError,
  hasErrorCode,
  isBrineError,
  toBrineError,
  type ErrorCode,
} from '../src/index.js';
import type * as Classes from '../src/errors/classes.js';
// @ts-expect-error -- a plain .mjs script without types
import { renderErrorsDoc } from '../../../scripts/errors-doc.mjs';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

describe('error catalogue', () => {
  it('lists every code once', () => {
    expect(Object.keys(ERROR_CATALOGUE).sort()).toEqual(Object.values(ErrorCodes).sort());
  });

  it('brineError builds the catalogued class for every code, with its code, cause and details', () => {
    for (const code of Object.values(ErrorCodes)) {
      const cause = new Error('under');
      const e = brineError(code, 'm', { cause, details: { n: 1 } });
      expect(e.name).toBe(ERROR_CATALOGUE[code].class);
      expect(e.constructor.name).toBe(ERROR_CATALOGUE[code].class);
      expect(e).toBeInstanceOf(BrineError);
      expect([e.code, e.message, e.cause, e.details]).toEqual([code, 'm', cause, { n: 1 }]);
    }
  });

  it('every `new XError(ErrorCodes.Y …)` in the sources uses the class Y is catalogued as', () => {
    const wrong: string[] = [];
    let seen = 0;
    const dirs = ['packages', 'examples'].map((d) => join(ROOT, d));
    const files = dirs.flatMap((d) => sourceFiles(d)).filter((f) => f.includes('/src/'));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new (\w+Error)\(\s*ErrorCodes\.(\w+)/g)) {
        seen++;
        const code = ErrorCodes[m[2] as keyof typeof ErrorCodes] as ErrorCode | undefined;
        if (!code) wrong.push(`${relative(ROOT, file)}: unknown code ${m[2]}`);
        else if (ERROR_CATALOGUE[code].class !== m[1])
          wrong.push(`${relative(ROOT, file)}: ${m[1]}(${code}), catalogued as ${ERROR_CATALOGUE[code].class}`);
      }
    }
    expect(seen).toBeGreaterThan(200);
    expect(wrong).toEqual([]);
  });

  it('no plain `new Error(` is thrown from library sources', () => {
    const plain: string[] = [];
    const libs = ['contracts', 'core', 'crypto', 'transport-tcp', 'transport-ws', 'transport-zmq', 'compliance'];
    for (const lib of libs) {
      for (const file of sourceFiles(join(ROOT, 'packages', lib, 'src'))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/throw new Error\(/g)) plain.push(`${relative(ROOT, file)}@${m.index}`);
      }
    }
    expect(plain).toEqual([]);
  });

  it('docs/errors.md is generated from the catalogue and up to date', () => {
    const onDisk = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
    expect(onDisk).toBe(renderErrorsDoc(ERROR_CATALOGUE));
  });
});

describe('recognising errors', () => {
  it('isBrineError and hasErrorCode see an error from another copy of the package, instanceof does not', async () => {
    // A second module instance of the classes, as a second installed copy would be.
    const copy = '../src/errors/classes.js?copy=2';
    const other = (await import(/* @vite-ignore */ copy)) as typeof Classes;
    const foreign = new other.TransportError(ErrorCodes.UNREACHABLE, 'elsewhere');
    expect(foreign instanceof TransportError).toBe(false);
    expect(isBrineError(foreign)).toBe(true);
    expect(hasErrorCode(foreign, ErrorCodes.UNREACHABLE)).toBe(true);
    expect(hasErrorCode(foreign, ErrorCodes.TIMEOUT)).toBe(false);
    expect(toBrineError(foreign, ErrorCodes.HANDLER)).toBe(foreign);
  });

  it('does not take look-alikes for Brine errors', () => {
    const lookalike = Object.assign(new Error('x'), { code: 'ERR_TIMEOUT' });
    expect(isBrineError(lookalike)).toBe(false);
    expect(isBrineError({ code: 'ERR_TIMEOUT', message: 'x' })).toBe(false);
    expect(isBrineError(null)).toBe(false);
    const wrapped = toBrineError(lookalike, ErrorCodes.HANDLER);
    expect(wrapped).toBeInstanceOf(BrineError);
    expect([wrapped.code, wrapped.cause]).toEqual([ErrorCodes.HANDLER, lookalike]);
  });

  it('a state error is a StateError whatever raised it', () => {
    const e = new StateError(ErrorCodes.INVALID_STATE, 'started twice');
    expect(e).toBeInstanceOf(StateError);
    expect(e.name).toBe('StateError');
    // @ts-expect-error -- TransportError does not take ERR_INVALID_STATE
    void new TransportError(ErrorCodes.INVALID_STATE, 'not allowed by the types');
  });
});
