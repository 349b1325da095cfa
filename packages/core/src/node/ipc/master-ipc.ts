import { RateLimitedLog } from '../../limits/rate-limited-log.js';
import { fitReturns } from './fit-returns.js';
import { join } from 'node:path';
import type net from 'node:net';
import { type BrineError, toBrineError, ErrorCodes, ProtocolError, type Logger } from '@brine/contracts';
import { packEvent, unpackEvent } from '../../events/pack.js';
import type { Master } from '../../master/master.js';
import { isDict, type Dict } from '../../protocol/values.js';
import { frameMsg, readFrames } from './framed-socket.js';
import { closeLocal, listenLocal } from './local-server.js';

export const EVENT_PUB_SOCKET = 'master_event_pub.ipc';
export const EVENT_PULL_SOCKET = 'master_event_pull.ipc';
export const CONTROL_SOCKET = 'brine_control.ipc';

/**
 * The master's local sockets in `sock_dir` (all mode 0600):
 * - `master_event_pub.ipc`: every bus event, as Salt frames it (`frame_msg(tag + "\n\n" + msgpack(data))`);
 * - `master_event_pull.ipc`: events pushed by local processes (Salt 3008 framing: uint32 length + frame);
 * - `brine_control.ipc`: requests from the `brine` CLI (`run`, `publish`, `status`), `{head: {mid}, body}` frames.
 * The network ports never accept these: publishing jobs is a local, owner-only operation.
 */
export class MasterIpc {
  private readonly limitedLog: RateLimitedLog;
  private readonly servers: Array<{ server: net.Server; path: string; sockets: Set<net.Socket> }> = [];
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly master: Master,
    private readonly sockDir: string,
    private readonly logger: Logger,
  ) {
    this.limitedLog = new RateLimitedLog(logger, master.config.log_rate_limit);
  }

  async start(): Promise<void> {
    const subscribers = new Set<net.Socket>();
    await this.open(EVENT_PUB_SOCKET, (socket, sockets) => {
      subscribers.add(socket);
      socket.on('close', () => subscribers.delete(socket));
      socket.on('error', () => {});
      sockets.add(socket);
    });
    this.logger.debug(`MasterEvent PUB socket URI: ${join(this.sockDir, EVENT_PUB_SOCKET)}`);
    const limit = this.master.config.max_message_size;
    this.unsubscribe = this.master.bus.subscribe('', (event) => {
      if (subscribers.size === 0) return; // nobody follows: do not pack (a big return would cost its size again)
      const frame = frameMsg(packEvent(event));
      if (frame.length > limit) {
        // Followers read with the same limit: skip the event rather than disconnect them all.
        this.limitedLog.warning(
          'event-too-large',
          `Event ${event.tag.slice(0, 128)} (${frame.length} bytes) is over max_message_size (${limit}); not sent to local followers`,
        );
        return;
      }
      for (const s of subscribers) s.write(frame);
    });
    await this.open(EVENT_PULL_SOCKET, (socket, sockets) => {
      sockets.add(socket);
      socket.on('error', () => {});
      readFrames(
        socket,
        (frame) => {
          const bytes = frame.body instanceof Uint8Array ? frame.body : undefined;
          if (!bytes) return;
          const event = unpackEvent(bytes);
          this.master.bus.fire(event.tag, event.data);
        },
        (error) => this.warn(error),
        { lengthPrefixed: true },
      );
    });
    this.logger.debug(`MasterEvent PULL socket URI: ${join(this.sockDir, EVENT_PULL_SOCKET)}`);
    await this.open(CONTROL_SOCKET, (socket, sockets) => {
      sockets.add(socket);
      socket.on('error', () => {});
      readFrames(
        socket,
        (frame) => void this.control(socket, frame.head, frame.body),
        (error) => this.warn(error),
        { maxMessageSize: this.master.config.max_message_size },
      );
    });
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all(this.servers.splice(0).map((s) => closeLocal(s.server, s.path, s.sockets)));
  }

  private async open(
    name: string,
    onConnection: (socket: net.Socket, sockets: Set<net.Socket>) => void,
  ): Promise<void> {
    const path = join(this.sockDir, name);
    const sockets = new Set<net.Socket>();
    const server = await listenLocal(path, (socket) => {
      socket.on('close', () => sockets.delete(socket));
      onConnection(socket, sockets);
    });
    this.servers.push({ server, path, sockets });
  }

  private warn(error: BrineError): void {
    this.logger.warning(`Bad IPC input: ${error.message}`, error);
  }

  private async control(socket: net.Socket, head: Dict, body: unknown): Promise<void> {
    let reply: unknown;
    try {
      reply = { ok: true, result: await this.dispatch(body) };
    } catch (error) {
      const e = toBrineError(error, ErrorCodes.HANDLER);
      reply = { ok: false, error: { code: e.code, message: e.message } };
    }
    if (!socket.destroyed) socket.write(frameMsg(reply, head));
  }

  private async dispatch(body: unknown): Promise<unknown> {
    if (!isDict(body) || typeof body.cmd !== 'string')
      throw new ProtocolError(ErrorCodes.BAD_LOAD, 'control request needs a cmd');
    switch (body.cmd) {
      case 'status':
        return { addresses: this.master.addresses, connected: this.master.connectedMinions };
      case 'run': {
        const args = Array.isArray(body.arg) ? body.arg : [];
        const options: Parameters<Master['run']>[3] = {};
        if (typeof body.tgt_type === 'string') options.tgt_type = body.tgt_type;
        if (typeof body.delimiter === 'string') options.delimiter = body.delimiter;
        if (isDict(body.kwarg)) options.kwarg = body.kwarg;
        if (typeof body.timeout === 'number') options.timeoutSeconds = body.timeout;
        const result = await this.master.run(targetOf(body.tgt), String(body.fun), args, options);
        const refused = fitReturns(result, this.master.config.max_message_size);
        for (const id of refused) {
          this.limitedLog.warning(
            'return-too-large',
            `The return of ${id} for job ${result.jid} is too large for one local reply; refused for that minion alone`,
          );
        }
        return result;
      }
      case 'select': {
        const { minions } = await this.master.select(
          targetOf(body.tgt),
          typeof body.tgt_type === 'string' ? body.tgt_type : 'glob',
          typeof body.delimiter === 'string' ? body.delimiter : undefined,
        );
        return { minions };
      }
      case 'publish': {
        const job: Parameters<Master['publish']>[0] = {
          tgt: targetOf(body.tgt),
          fun: String(body.fun),
          arg: Array.isArray(body.arg) ? body.arg : [],
        };
        if (typeof body.tgt_type === 'string') job.tgt_type = body.tgt_type;
        if (typeof body.delimiter === 'string') job.delimiter = body.delimiter;
        if (isDict(body.kwarg)) job.kwarg = body.kwarg;
        return this.master.publish(job);
      }
      case 'rotate':
        this.master.rotateAesKey('requested over the control socket');
        return true;
      default:
        throw new ProtocolError(ErrorCodes.UNKNOWN_COMMAND, `unknown control command ${body.cmd.slice(0, 64)}`);
    }
  }
}

/** A target from the control socket: a string or a list of strings. */
function targetOf(value: unknown): string | string[] {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new ProtocolError(ErrorCodes.BAD_LOAD, 'a target is a string or a list of strings');
}
