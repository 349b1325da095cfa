import {
  ConfigError,
  DEFAULT_BOUNDS,
  DEFAULT_MAX_MESSAGE_SIZE,
  ErrorCodes,
  type TransportOptions,
} from '@brine/contracts';

/**
 * Refuses a server config whose `inbound_budget` is below a message size it allows: tcp and ws
 * claim a message's declared length against the budget before reading it, and zeromq every request
 * not yet answered, so a request between the two sizes could never be received.
 * `max_message_size` applies once a connection has authenticated, `auth_max_message_size` (if not
 * 0) before; the larger the peer can actually send is `min(auth, max)` before, `max` after,
 * so `inbound_budget >= max_message_size` covers both. Throws ConfigError `ERR_CONFIG` naming the
 * options (docs/limits.md).
 */
export function checkInboundBudget(options: TransportOptions): void {
  const budget = options.inboundBudget ?? DEFAULT_BOUNDS.inboundBudget;
  const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const auth = options.authMaxMessageSize ?? DEFAULT_BOUNDS.authMaxMessageSize;
  if (budget >= max) return;
  const unauth = auth > 0 ? Math.min(auth, max) : max;
  const over =
    unauth > budget ? `auth_max_message_size (${auth}) and max_message_size (${max})` : `max_message_size (${max})`;
  throw new ConfigError(
    ErrorCodes.CONFIG,
    `inbound_budget (${budget} bytes) is below ${over}: a request larger than inbound_budget could never be ` +
      `received. Raise inbound_budget to at least ` +
      `max_message_size (${max}) or lower max_message_size.`,
    {
      details: { option: 'inbound_budget', inbound_budget: budget, max_message_size: max, auth_max_message_size: auth },
    },
  );
}
