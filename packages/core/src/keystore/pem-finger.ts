import type { CryptoSuite, DigestAlgorithm } from '@brine/contracts';
import { toHex, utf8Encode } from '@brine/contracts/bytes';

export interface PemFingerOptions {
  /** Salt's `hash_type`; default `sha256`. */
  algorithm?: DigestAlgorithm;
  /**
   * `file` (default): `pem_finger(path=...)`, the digest of the base64 body lines (header and footer
   * dropped, blank lines dropped, each line keeping its `\n`). That is what `master_finger`, the
   * minion's `key.finger` and 3007's `salt-key -f` print.
   * `text`: `pem_finger(key=...)`, the digest of the whole text, as 3008's `salt-key -f` does.
   */
  form?: 'file' | 'text';
}

/** Salt's `salt.utils.crypt.pem_finger`: hex digest bytes joined by ':'. */
export function pemFinger(pem: string, crypto: Pick<CryptoSuite, 'digest'>, options: PemFingerOptions = {}): string {
  const text = options.form === 'text' ? pem : pemBodyAsSaltReadsIt(pem);
  const hex = toHex(crypto.digest(options.algorithm ?? 'sha256', utf8Encode(text)));
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** `b"".join([x for x in fp.readlines() if x.strip()][1:-1]).replace(b"\r\n", b"\n")` */
function pemBodyAsSaltReadsIt(pem: string): string {
  const lines = pem.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return lines
    .filter((line) => line.replace(/[ \t\n\r\v\f]/g, '') !== '')
    .slice(1, -1)
    .join('')
    .replaceAll('\r\n', '\n');
}
