// Maps core events onto the contract's push events. No electron import: the dev host uses it too.
import type { CoreApi } from '../../core/api.js';
import type { Workstation } from '../../core/offline/workstation.js';
import type { UpdateController } from '../../core/update/controller.js';
import type { EventName, EventPayload } from '../../shared/contract.js';
import { toOutboxDto } from './dispatcher.js';

export type Emit = <K extends EventName>(name: K, payload: EventPayload<K>) => void;

/**
 * Forwards `case:updated` and `connection:changed` as they come and coalesces `queue:changed`
 * (a burst of ingests becomes one "what changed since" read per window, not one per case).
 */
export function forwardCoreEvents(core: Pick<CoreApi, 'onEvent'>, emit: Emit, opts: { coalesceMs?: number } = {}): () => void {
  const coalesceMs = opts.coalesceMs ?? 150;
  let timer: NodeJS.Timeout | undefined;
  const off = core.onEvent((e) => {
    if (e.type === 'connection.changed') {
      emit('connection:changed', e.state);
      return;
    }
    if (e.type === 'bulk.progress') {
      emit('bulk:progress', e.job);
      return;
    }
    emit('case:updated', { caseId: e.caseId, status: e.status, version: e.version, level: e.level });
    if (!timer) {
      timer = setTimeout(() => {
        timer = undefined;
        emit('queue:changed', { at: new Date().toISOString() });
      }, coalesceMs);
    }
  });
  return () => {
    off();
    if (timer) clearTimeout(timer);
  };
}

/** Pushes the acting user's outbox changes (pending → delivered → applied | conflict | rejected). */
export function forwardOutboxEvents(ws: Workstation, emit: Emit): () => void {
  const off = ws.onOutboxChange((e) => emit('outbox:changed', toOutboxDto(e)));
  return () => {
    off();
  };
}

/** Pushes the workstation's update state (progress, ready, required, whether a restart is safe). */
export function forwardUpdateEvents(updates: Pick<UpdateController, 'onChange'>, emit: Emit): () => void {
  return updates.onChange((s) => emit('update:changed', s));
}
