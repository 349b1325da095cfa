/**
 * Salt evaluates a compound target by writing a Python expression and `eval`-ing it: the
 * minion (salt/matchers/compound_match.py) joins `True`/`False` and `and`/`or`/`not`/parens,
 * the master (CkMinions._check_compound_minions) joins set literals with `&`, `|`, `-` and
 * parens. Whatever that text does in Python is the answer: a syntax error or a runtime error
 * (e.g. `(True) (False)` is a call of a bool) makes the whole target False / no minions.
 * These are small parsers and evaluators for exactly those token languages with Python's
 * grammar, precedence, short-circuiting and errors.
 */

class PyError extends Error {}

// ------------------------------------------------------------------ minion: booleans

/** A minion-side term: a known truth value, or the index of a term the minion cannot decide. */
export type BoolAtom = { readonly value: boolean } | { readonly unknown: number };
export type BoolToken = 'and' | 'or' | 'not' | '(' | ')' | BoolAtom;

type BoolNode =
  | { readonly k: 'atom'; readonly atom: BoolAtom }
  | { readonly k: 'tuple' }
  | { readonly k: 'not'; readonly e: BoolNode }
  | { readonly k: 'and' | 'or'; readonly l: BoolNode; readonly r: BoolNode }
  | { readonly k: 'call'; readonly callee: BoolNode; readonly arg: BoolNode | undefined };

class BoolParser {
  private i = 0;
  constructor(private readonly toks: readonly BoolToken[]) {}

  parse(): BoolNode {
    const e = this.orTest();
    if (this.i !== this.toks.length) throw new PyError('syntax');
    return e;
  }

  private peek(): BoolToken | undefined {
    return this.toks[this.i];
  }

  private orTest(): BoolNode {
    let l = this.andTest();
    while (this.peek() === 'or') {
      this.i++;
      l = { k: 'or', l, r: this.andTest() };
    }
    return l;
  }

  private andTest(): BoolNode {
    let l = this.notTest();
    while (this.peek() === 'and') {
      this.i++;
      l = { k: 'and', l, r: this.notTest() };
    }
    return l;
  }

  private notTest(): BoolNode {
    if (this.peek() === 'not') {
      this.i++;
      return { k: 'not', e: this.notTest() };
    }
    return this.primary();
  }

  private primary(): BoolNode {
    let node = this.atom();
    while (this.peek() === '(') {
      this.i++;
      let arg: BoolNode | undefined;
      if (this.peek() !== ')') arg = this.orTest();
      if (this.peek() !== ')') throw new PyError('syntax');
      this.i++;
      node = { k: 'call', callee: node, arg };
    }
    return node;
  }

  private atom(): BoolNode {
    const t = this.peek();
    if (t === undefined || t === 'and' || t === 'or' || t === 'not' || t === ')') throw new PyError('syntax');
    this.i++;
    if (t === '(') {
      if (this.peek() === ')') {
        this.i++;
        return { k: 'tuple' };
      }
      const e = this.orTest();
      if (this.peek() !== ')') throw new PyError('syntax');
      this.i++;
      return e;
    }
    return { k: 'atom', atom: t };
  }
}

function evalBool(n: BoolNode, unknowns: readonly boolean[]): boolean {
  switch (n.k) {
    case 'atom':
      return 'value' in n.atom ? n.atom.value : (unknowns[n.atom.unknown] ?? false);
    case 'tuple':
      return false;
    case 'not':
      return !evalBool(n.e, unknowns);
    case 'and':
      return evalBool(n.l, unknowns) ? evalBool(n.r, unknowns) : false;
    case 'or':
      return evalBool(n.l, unknowns) ? true : evalBool(n.r, unknowns);
    case 'call':
      // The callee (then the argument) is evaluated, then calling a bool/tuple raises.
      evalBool(n.callee, unknowns);
      if (n.arg) evalBool(n.arg, unknowns);
      throw new PyError('not callable');
  }
}

/**
 * bool(eval(tokens)) as compound_match does it, False on any error. With `unknownCount`
 * terms the minion cannot evaluate, every assignment is tried: the answer is returned when
 * they all agree, else `undefined` (undecidable).
 */
export function evalBoolExpr(tokens: readonly BoolToken[], unknownCount = 0): boolean | undefined {
  let tree: BoolNode;
  try {
    tree = new BoolParser(tokens).parse();
  } catch {
    return false;
  }
  let answer: boolean | undefined;
  for (let bits = 0; bits < 1 << unknownCount; bits++) {
    const unknowns = Array.from({ length: unknownCount }, (_, k) => ((bits >> k) & 1) === 1);
    let v: boolean;
    try {
      v = evalBool(tree, unknowns);
    } catch {
      v = false;
    }
    if (answer === undefined) answer = v;
    else if (answer !== v) return undefined;
  }
  return answer;
}

// ------------------------------------------------------------------ master: sets

export type SetToken = '&' | '|' | '-' | '(' | ')' | { readonly set: ReadonlySet<string> };

type SetVal = ReadonlySet<string> | 'tuple';

class SetParser {
  private i = 0;
  constructor(private readonly toks: readonly SetToken[]) {}

  parse(): () => SetVal {
    const e = this.orExpr();
    if (this.i !== this.toks.length) throw new PyError('syntax');
    return e;
  }

  private peek(): SetToken | undefined {
    return this.toks[this.i];
  }

  private binary(next: () => () => SetVal, op: '&' | '|' | '-'): () => SetVal {
    let l = next();
    while (this.peek() === op) {
      this.i++;
      const left = l;
      const right = next();
      l = () => setOp(op, left(), right());
    }
    return l;
  }

  private orExpr(): () => SetVal {
    return this.binary(() => this.andExpr(), '|');
  }

  private andExpr(): () => SetVal {
    return this.binary(() => this.arith(), '&');
  }

  private arith(): () => SetVal {
    return this.binary(() => this.factor(), '-');
  }

  private factor(): () => SetVal {
    if (this.peek() === '-') {
      this.i++;
      const e = this.factor();
      return () => {
        e();
        throw new PyError('bad operand type for unary -');
      };
    }
    return this.primary();
  }

  private primary(): () => SetVal {
    let node = this.atom();
    while (this.peek() === '(') {
      this.i++;
      let arg: (() => SetVal) | undefined;
      if (this.peek() !== ')') arg = this.orExpr();
      if (this.peek() !== ')') throw new PyError('syntax');
      this.i++;
      const callee = node;
      const a = arg;
      node = () => {
        callee();
        if (a) a();
        throw new PyError('not callable');
      };
    }
    return node;
  }

  private atom(): () => SetVal {
    const t = this.peek();
    if (t === undefined || typeof t === 'string') {
      if (t !== '(') throw new PyError('syntax');
    }
    this.i++;
    if (t === '(') {
      if (this.peek() === ')') {
        this.i++;
        return () => 'tuple';
      }
      const e = this.orExpr();
      if (this.peek() !== ')') throw new PyError('syntax');
      this.i++;
      return e;
    }
    const s = (t as { set: ReadonlySet<string> }).set;
    return () => s;
  }
}

function setOp(op: '&' | '|' | '-', a: SetVal, b: SetVal): SetVal {
  if (a === 'tuple' || b === 'tuple') throw new PyError('unsupported operand type');
  if (op === '|') return new Set([...a, ...b]);
  if (op === '&') return new Set([...a].filter((x) => b.has(x)));
  return new Set([...a].filter((x) => !b.has(x)));
}

/** list(eval(tokens)) as _check_compound_minions does it; `[]` on any error. */
export function evalSetExpr(tokens: readonly SetToken[]): string[] {
  try {
    const v = new SetParser(tokens).parse()();
    return v === 'tuple' ? [] : [...v];
  } catch (err) {
    if (err instanceof PyError) return [];
    throw err;
  }
}
