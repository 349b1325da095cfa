import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { ErrorCodes, ConfigError, type TlsOptions } from '@brine/contracts';

/** TLS settings for a Node client socket (ws / https.request options). */
export interface ClientTls extends SecureContextOptions {
  rejectUnauthorized: boolean;
  servername?: string;
}

/** TLS settings for a Node server (https.createServer options). */
export interface ServerTls extends SecureContextOptions {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/**
 * Client side of Salt's `ssl` option: verification is on (`CERT_REQUIRED`) unless `cert_reqs` is
 * `CERT_NONE`; `ca_certs` (or `ca`) replaces the system store; `certfile`/`keyfile` enable mutual TLS.
 */
export function clientTls(ssl: TlsOptions): ClientTls {
  const out: ClientTls = { rejectUnauthorized: ssl.cert_reqs !== 'CERT_NONE' };
  const ca = ssl.ca ?? readPem(ssl.ca_certs, 'ca_certs');
  if (ca !== undefined) out.ca = asPem(ca);
  const cert = ssl.cert ?? readPem(ssl.certfile, 'certfile');
  if (cert !== undefined) out.cert = asPem(cert);
  const key = ssl.key ?? readPem(ssl.keyfile, 'keyfile');
  if (key !== undefined) out.key = asPem(key);
  if (ssl.ciphers) out.ciphers = ssl.ciphers;
  if (ssl.servername) out.servername = ssl.servername;
  return out;
}

/**
 * Server side: `certfile`/`keyfile` (or `cert`/`key`) are required. As in Salt, clients are asked
 * for a certificate only when `cert_reqs` says so: `CERT_REQUIRED` (mutual TLS, verified against
 * `ca_certs`), `CERT_OPTIONAL` (asked, not required), unset or `CERT_NONE` (not asked).
 */
export function serverTls(ssl: TlsOptions): ServerTls {
  const cert = ssl.cert ?? readPem(ssl.certfile, 'certfile');
  const key = ssl.key ?? readPem(ssl.keyfile, 'keyfile');
  if (cert === undefined || key === undefined) {
    throw new ConfigError(
      ErrorCodes.CONFIG,
      'a TLS server needs ssl.certfile and ssl.keyfile (or ssl.cert and ssl.key)',
    );
  }
  const out: ServerTls = {
    cert: asPem(cert),
    key: asPem(key),
    requestCert: ssl.cert_reqs === 'CERT_REQUIRED' || ssl.cert_reqs === 'CERT_OPTIONAL',
    rejectUnauthorized: ssl.cert_reqs === 'CERT_REQUIRED',
  };
  const ca = ssl.ca ?? readPem(ssl.ca_certs, 'ca_certs');
  if (ca !== undefined) out.ca = asPem(ca);
  if (ssl.ciphers) out.ciphers = ssl.ciphers;
  return out;
}

function readPem(file: string | undefined, option: string): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(ErrorCodes.CONFIG, `cannot read ssl.${option} (${file})`, {
      cause: error,
      details: { [option]: file },
    });
  }
}

type Pem = string | Uint8Array;

function asPem(value: Pem | Pem[]): string | Buffer | Array<string | Buffer> {
  const one = (v: Pem): string | Buffer => (typeof v === 'string' ? v : Buffer.from(v));
  return Array.isArray(value) ? value.map(one) : one(value);
}
