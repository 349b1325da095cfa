import net from 'node:net';
import { join } from 'node:path';
import { BrineError, ErrorCodes, TimeoutError, TransportError } from '@brine/contracts';
import { isDict } from '../../protocol/values.js';
import { frameMsg, IPC_MAX_FRAME, readFrames } from './framed-socket.js';
import { CONTROL_SOCKET } from './master-ipc.js';

/** Sends one request to a running master's control socket (`brine run` uses it). */
export async function controlRequest(
  sockDir: string,
  body: Record<string, unknown>,
  timeoutMs = 60_000,
  /** The master's `max_message_size`: the largest reply accepted (default 64 MiB, as the master's). */
  maxMessageSize = IPC_MAX_FRAME,
): Promise<unknown> {
  const path = join(sockDir, CONTROL_SOCKET);
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TimeoutError(ErrorCodes.TIMEOUT, `no answer from the master control socket within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (fn: () => void): void => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    socket.on('error', (error) =>
      finish(() =>
        reject(
          new TransportError(ErrorCodes.UNREACHABLE, `cannot reach the master at ${path}: is it running?`, {
            cause: error,
          }),
        ),
      ),
    );
    socket.on('connect', () => socket.write(frameMsg(body, { mid: 1 })));
    readFrames(
      socket,
      (frame) =>
        finish(() => {
          const reply = frame.body;
          if (isDict(reply) && reply.ok === true) resolve(reply.result);
          else if (isDict(reply) && isDict(reply.error)) {
            reject(new BrineError((reply.error.code as never) ?? ErrorCodes.REMOTE, String(reply.error.message)));
          } else reject(new BrineError(ErrorCodes.REMOTE, 'malformed control reply'));
        }),
      (error) => finish(() => reject(error)),
      { maxMessageSize },
    );
  });
}
