import type { Logger } from '@brine/contracts';
import type { Master } from '../master/master.js';
import { consumeRotateDropfile } from './rotate-dropfile.js';

/**
 * Salt's `Maintenance` process, the part Brine needs: every `intervalSeconds` (Salt `loop_interval`)
 * look for the rotation dropfile that `brine key` writes when it deletes or rejects a key, and if it
 * is there reload keys and rotate the AES key. Returns a stop function.
 */
export function startMaintenance(
  master: Master,
  cachedir: string,
  intervalSeconds: number,
  logger: Logger,
): () => void {
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      if (await consumeRotateDropfile(cachedir, master.config.id, logger)) await master.reloadKeys('rotation dropfile');
    } catch (error) {
      logger.error('Maintenance run failed', error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), Math.max(0.05, intervalSeconds) * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
