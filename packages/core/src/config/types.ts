import type { TlsOptions } from '@brine/contracts';

/** A built-in transport, or the package name of a third-party one (`@acme/brine-transport-x`). */
export type TransportName = 'zeromq' | 'tcp' | 'ws' | (string & {});
/** A built-in crypto suite, or the package name of a third-party one. */
export type CryptoName = 'salt' | 'nacl' | 'salt-forge' | 'nacl-tweetnacl' | (string & {});
/** Salt's log levels. */
export type SaltLogLevel = 'garbage' | 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'critical' | 'quiet';

/** Options both daemons share, with Salt's names and units. */
export interface CommonConfig {
  /** `zeromq` (default, as Salt), `tcp`, `ws`, or a transport package's name. */
  transport: TransportName;
  /** Salt's pki_dir. */
  pki_dir: string;
  /** Where Brine keeps runtime files (rotation dropfile, sessions). */
  cachedir: string;
  /** Where local sockets (event bus, control) live. */
  sock_dir: string;
  /** Debug-level logging shows the handshake story. `garbage|trace|debug|info|warning|error|critical|quiet`. */
  log_level: SaltLogLevel;
  /** RSA modulus size for generated keys (2048, or 4096). */
  keysize: number;
  /** Crypto suite: `salt` (RSA/AES, talks to Salt), `nacl` (Brine-to-Brine), or a suite package's name. */
  crypto: CryptoName;
  /** Listen on / connect over IPv6. */
  ipv6: boolean;
  /** TLS for tcp and ws (Salt's `ssl` dict). */
  ssl: TlsOptions | null;
  zmq_filtering: boolean;
  /**
   * Brine extension: a ZeroMQ minion keeps many requests in flight on its one connection (an extra
   * envelope frame per request). Brine masters, Salt 3007 and Salt 3008 with worker pools off accept
   * it; Salt 3008's default routing device does not, so the default (false) is Salt's exact REQ framing.
   */
  zmq_request_pipelining: boolean;
  tcp_keepalive: boolean;
  tcp_keepalive_idle: number;
  /** ms; Salt's reconnect options. */
  recon_default: number;
  recon_max: number;
  recon_randomize: boolean;
  /** Largest message in bytes. */
  max_message_size: number;
  /** `enc_algo` for sealing keys; empty = the suite's default (Salt: `OAEP-SHA1`). */
  encryption_algorithm: string;
  /** `sig_algo` for signatures; empty = the suite's default (Salt: `PKCS1v15-SHA1`). */
  signing_algorithm: string;
}

export interface MasterConfig extends CommonConfig {
  /** Salt `nodegroups`: name -> compound target or list of ids (`-N`, `N@`). */
  nodegroups: Record<string, unknown>;
  /** The master id (dropfile content, events). */
  id: string;
  /** Address to bind (Salt `interface`). */
  interface: string;
  publish_port: number;
  ret_port: number;
  auto_accept: boolean;
  /** Ids (globs) to accept automatically (the contents of Salt's `autosign_file`). */
  autosign: string[];
  /** Ids (globs) to reject automatically (Salt's `autoreject_file` contents). */
  autoreject: string[];
  open_mode: boolean;
  max_minions: number;
  /** Refuse older request protocols (3 = no downgrade, CVE-2025-62349). */
  minimum_auth_version: number;
  /** Seconds; 0 disables the v3 request TTL check. */
  request_server_ttl: number;
  /**
   * Brine extension, seconds: how long a verified minion token is trusted before the minion's
   * accepted key is read from the key store again. 0 reads it on every request as Salt does (with
   * keys on disk, about half of a request's CPU). Key changes made through the master or noticed
   * through the rotation dropfile apply at once; this bounds how long a key file removed or
   * replaced by hand goes unnoticed.
   */
  token_recheck_interval: number;
  /** Seconds a minion session key lives. */
  publish_session: number;
  sign_pub_messages: boolean;
  publish_signing_algorithm: string;
  master_sign_pubkey: boolean;
  rotate_aes_key: boolean;
  /** Seconds between maintenance runs (rotation dropfile check). */
  loop_interval: number;
  /** Seconds `run` waits for returns by default (Salt's `timeout`, 5). */
  timeout: number;
  /**
   * Worker threads for the auth handshake's private-key operations (a pooled crypto suite, wired by
   * the app or the CLI): -1 (default) = one per CPU core when there are at least two, 0 = none.
   */
  worker_threads: number;
  pub_hwm: number;
  /** Brine: refuse RSA minion keys below this many bits at `_auth` (default 2048; RSA-512/1024 are breakable). */
  min_key_size: number;
  /** Brine: at most this many keys in pending; a new key beyond it is not stored, the minion is told pending (default 1000; 0 = no cap). */
  max_pending_keys: number;
  /** Brine: new pending keys accepted per second, bursts of as many (default 50; 0 = no limit). */
  pending_key_rate: number;
  /** Brine: sign-ins worked on at once; one more is answered "busy, retry after" at once (default 256; 0 = no bound). */
  auth_queue_max: number;
  /** Brine: most seconds an admitted sign-in should wait at the measured sign-in rate; lowers auth_queue_max on a slow master, never below 16 (default 2; 0 = off). */
  auth_queue_max_wait: number;
  /** Brine: base of the randomized "retry after" delay hint, seconds (default 1). */
  auth_retry_delay: number;
  /** Brine: longest "retry after" delay hint, seconds (default 30). */
  auth_retry_delay_max: number;
  /** Brine: most jobs `publish()` keeps with their returns; the oldest uncollected job is dropped beyond it (default 10000). */
  max_jobs: number;
  /** Salt `keep_jobs`: hours a published job and its returns are kept when nobody collects them (default 24; 0 = for ever). */
  keep_jobs: number;
  /** Brine: refused requests log at most this many WARNING lines per minute per kind; the rest are counted (default 10; 0 = no limit). */
  log_rate_limit: number;
  /** Brine: refused requests an unauthenticated tcp/ws connection may have before it is closed (default 8; 0 = never). */
  max_unauthenticated_refusals: number;
  /** Brine: most events in one `_minion_event` request; a bigger one is refused whole (default 100; 0 = no limit). */
  minion_event_max_events: number;
  /** Brine: most top-level event data keys in one `_minion_event` request, all events together; a request with more is refused whole (default 1000; 0 = no limit). */
  minion_event_max_keys: number;
  /** Brine: ms of request handling per event-loop turn before the master serves connections in turn, round-robin (default 4; 0 = off). */
  request_fair_slice: number;
  /** Salt `max_open_files` (default 100000): the descriptors the master plans with, lowered to the process's soft RLIMIT_NOFILE when known. */
  max_open_files: number;
  /** Brine: descriptors kept out of the connection caps for the control socket, the key store and logs (default 128). */
  fd_reserve: number;
  /** Salt `auth_events`: fire salt/auth events. */
  auth_events: boolean;
  /** Seconds a publish waits for a slow subscriber (Salt `publish_drain_timeout`). */
  publish_drain_timeout: number;
}

export interface MinionConfig extends CommonConfig {
  /** Salt `nodegroups` on the minion (N@ words of a compound target). */
  nodegroups: Record<string, unknown>;
  id: string;
  /** The master's address (Salt `master`). */
  master: string;
  /** The master's request port (its ret_port). */
  master_port: number;
  /** Publish port; 0 (Brine default) = the one the master announces in its accept reply. */
  publish_port: number;
  acceptance_wait_time: number;
  acceptance_wait_time_max: number;
  auth_tries: number;
  auth_timeout: number;
  auth_retries: number;
  rejected_retry: boolean;
  verify_master_pubkey_sign: boolean;
  always_verify_signature: boolean;
  master_sign_key_name: string;
  master_finger: string;
  /**
   * Require and verify the master's signature on every publish. Default true (Salt's minion
   * default is false, which lets any holder of the shared AES key forge jobs). Set false only for
   * a master that does not sign (Salt master `sign_pub_messages: False`); a publish that carries a
   * signature is verified either way, and one that fails verification never moves the serial.
   */
  sign_pub_messages: boolean;
  request_channel_timeout: number;
  request_channel_tries: number;
  return_retry_timer: number;
  return_retry_tries: number;
  /** Jids remembered so a replayed publish never runs twice (Salt's `minion_jid_queue_hwm` role; default 10000; the CLI keeps them in `<cachedir>/minion_jids`). */
  minion_jid_cache: number;
  /** Protocol version to speak (3; 2 for old masters). */
  auth_protocol_version: number;
  /** Salt `grains`: static grains, merged over the core grains (and the grains file). */
  grains: Record<string, unknown>;
  /** Salt `grains_deep_merge`: merge nested dicts of static grains instead of replacing them. */
  grains_deep_merge: boolean;
  /** Salt `enable_legacy_startup_events`: also fire `minion_start` at start (default true, as Salt). */
  enable_legacy_startup_events: boolean;
  /** Salt `enable_fqdns_grains`: reverse-resolve every address for the `fqdns` grain (default true). */
  enable_fqdns_grains: boolean;
  /**
   * Brine: serve `cmd.run`, `cmd.run_all`, `cmd.retcode`, `cmd.shell` (a shell for whoever holds the
   * master). Default false: an embedded agent gets no shell unless its owner says so.
   */
  enable_cmd_module: boolean;
}
