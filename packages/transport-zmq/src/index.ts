/**
 * @packageDocumentation
 * Brine's ZeroMQ transport: Salt's `zeromq` transport (ROUTER/DEALER request channel on
 * `ret_port`, XPUB/SUB publish channel on `publish_port`), wire-compatible with salt-master and
 * salt-minion. The socket classes are internal; use {@link zmqTransport}.
 */
export { zmqTransport } from './factory.js';
export type { ZmqTransportOptions } from './options.js';
export { zmqTopic } from './topic.js';
import { zmqTransport } from './factory.js';

/** What `transport: '<this package>'` loads by package name (core's plugin loader). */
export default zmqTransport;
