import WebSocket from 'ws';

/**
 * Closes with a close frame and waits for the peer's; destroys the socket after `timeout` ms if the
 * handshake does not finish (a peer that stopped reading never sees our close frame).
 */
export function closeGracefully(ws: WebSocket, code: number, reason: string, timeout: number): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), timeout);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
    if (ws.isPaused) ws.resume();
  });
}
