import type { CommandRegistry } from '../channel/command-registry.js';
import { PrivateReply, type CommandContext } from '../channel/commands.js';
import { ErrorCodes, ProtocolError, type BrineError } from '@brine/contracts';
import type { EventBus } from '../events/event-bus.js';
import { tags } from '../events/tags.js';
import { isDict, type Dict } from '../protocol/values.js';
import { isValidJid } from './jid.js';
import type { JobTracker } from './jobs.js';

export interface CommandDeps {
  bus: EventBus;
  jobs: JobTracker;
  /** Reports a refused command (logged and counted by the master). */
  refuse: (error: BrineError) => void;
  /** A minion proved it is alive (any authenticated request). */
  seen: (id: string) => void;
  /** Keeps the grains a minion sends with `_pillar` (Salt's minion data cache). */
  storeGrains?: (id: string, grains: Dict) => void;
  /** Most events one `_minion_event` request may carry (Brine `minion_event_max_events`, default 100). */
  maxEvents?: number;
  /** Most top-level keys in one event's data (Brine `minion_event_max_keys`, default 1000, all events together). */
  maxEventKeys?: number;
}

/**
 * The encrypted commands a Brine master serves (Salt's `AESFuncs`, as an explicit allow-list).
 * Every handler trusts only `context.minionId` (bound to the verified token), never a claimed id.
 */
export function registerMasterCommands(commands: CommandRegistry, deps: CommandDeps): CommandRegistry {
  const { bus, jobs } = deps;

  commands.register('_return', (load, ctx) => {
    deps.seen(ctx.minionId);
    const jid = load.jid;
    if (!isValidJid(jid)) {
      deps.refuse(new ProtocolError(ErrorCodes.BAD_LOAD, `_return from ${ctx.minionId} carries an invalid jid`));
      return null;
    }
    const { cmd: _cmd, ...ret } = load;
    ret.id = ctx.minionId;
    jobs.record(jid, ctx.minionId, ret);
    bus.fire(tags.jobReturn(jid, ctx.minionId), ret);
    return null;
  });

  commands.register('_minion_event', (load, ctx) => {
    deps.seen(ctx.minionId);
    const events = Array.isArray(load.events) ? load.events : [{ tag: load.tag, data: load.data }];
    // One heavy request must not stall every other minion: refuse it whole, before any work.
    const maxEvents = deps.maxEvents ?? 100;
    const maxKeys = deps.maxEventKeys ?? 1000;
    if (maxEvents > 0 && events.length > maxEvents) {
      deps.refuse(
        new ProtocolError(
          ErrorCodes.BAD_LOAD,
          `_minion_event from ${ctx.minionId} carries ${events.length} events, over minion_event_max_events (${maxEvents}); refused`,
          { details: { events: events.length, limit: maxEvents } },
        ),
      );
      return false;
    }
    if (maxKeys > 0) {
      // Counted over the whole request: 100 events of 10,000 keys each cost as much as one of a million.
      let keys = 0;
      for (const event of events) {
        keys += isDict(event) && isDict(event.data) ? Object.keys(event.data).length : 0;
        if (keys > maxKeys) {
          deps.refuse(
            new ProtocolError(
              ErrorCodes.BAD_LOAD,
              `_minion_event from ${ctx.minionId} carries over ${maxKeys} event data keys in all (minion_event_max_keys); refused`,
              { details: { keys, limit: maxKeys } },
            ),
          );
          return false;
        }
      }
    }
    for (const event of events) {
      if (!isDict(event) || typeof event.tag !== 'string') continue;
      if (!tagBelongsTo(event.tag, ctx.minionId)) {
        // A minion may only speak for itself (CVE-2025-22239).
        deps.refuse(
          new ProtocolError(
            ErrorCodes.BAD_LOAD,
            `minion ${ctx.minionId} may not fire event '${event.tag.slice(0, 80)}'`,
          ),
        );
        continue;
      }
      const data: Dict = isDict(event.data) ? { ...event.data } : { data: event.data };
      data.id = ctx.minionId;
      bus.fire(event.tag, data);
    }
    return true;
  });

  // A real salt-minion compiles its pillar at start; Brine masters serve no pillar data.
  // Its load carries the minion's grains, which Salt's master keeps for grain and compound targeting.
  commands.register('_pillar', (load: Dict, ctx: CommandContext) => {
    deps.seen(ctx.minionId);
    if (isDict(load.grains)) deps.storeGrains?.(ctx.minionId, load.grains);
    return new PrivateReply('pillar', {});
  });

  // Salt 3008 minions register their resources after start; nothing reads the answer, but an
  // unanswered request would hold back every later request on the minion's channel.
  commands.register('_register_resources', (_load, ctx) => {
    deps.seen(ctx.minionId);
    return true;
  });

  return commands;
}

function tagBelongsTo(tag: string, id: string): boolean {
  return (
    tag === 'minion_start' ||
    tag.startsWith(`salt/minion/${id}/`) ||
    tag.startsWith(`salt/beacon/${id}/`) ||
    tag.startsWith(`minion/${id}/`) ||
    tag === `minion/refresh/${id}`
  );
}
