// Stage tracer for the decision path (diagnostics, bench only): wraps the core's bus and the worker's graph
// objects from the outside (no change to src/) and stamps each case as it passes the stages below. Install
// it before core.start() (the worker's consumers are registered there). The person's session publishes its
// job hint on the same bus; "actioned" is published by the event relay (the database's NOTIFY after the
// read model's commit), also through the bus.
import type { Core } from '../src/core/core.js';
import type { Handler } from '../src/core/queue/bus.js';
import { f1, now, stats } from './lib.js';

export const STAGES = [
  ['execute', 'jobPublish', 'command function api.decide_case (one call: checks, CAS, commands row, audit)'],
  ['jobPublish', 'jobConfirmed', 'publish job to guardian.decisions (quorum) + confirm'],
  ['jobConfirmed', 'jobDelivered', 'broker → consumer delivery'],
  ['jobDelivered', 'graphStart', 'runner: load command (RLS), case lock, getState'],
  ['graphStart', 'graphEnd', 'LangGraph resume → execute node (worker.record_action, platform, worker.finish_action) → checkpoints'],
  ['graphEnd', 'eventPublished', 'read model sync (worker.sync_outcome) → commit → NOTIFY → event relay publishes'],
  ['eventPublished', 'eventReceived', 'events exchange → this process (live update)'],
] as const;

export function installStageTracer(core: Core) {
  const marks = new Map<string, Record<string, number>>();
  const mark = (caseId: string | undefined, stage: string) => {
    if (!caseId) return;
    const m = marks.get(caseId) ?? {};
    if (m[stage] === undefined) m[stage] = now();
    marks.set(caseId, m);
  };
  const bus = core.bus as unknown as Record<string, (...a: any[]) => Promise<any>>;
  const publishJob = bus.publishJob!.bind(core.bus);
  bus.publishJob = async (queue: string, body: { caseId?: string }, opts?: unknown) => {
    if (queue === 'decisions') mark(body.caseId, 'jobPublish');
    await publishJob(queue, body, opts);
    if (queue === 'decisions') mark(body.caseId, 'jobConfirmed');
  };
  const consume = bus.consume!.bind(core.bus);
  bus.consume = (queue: string, handler: Handler, o: unknown) =>
    consume(queue, async (d: Parameters<Handler>[0]) => {
      if (queue !== 'decisions') return handler(d);
      const caseId = (JSON.parse(d.body.toString('utf8')) as { caseId?: string }).caseId;
      mark(caseId, 'jobDelivered');
      await handler(d);
      mark(caseId, 'jobDone');
    }, o);
  const publishEvent = bus.publishEvent!.bind(core.bus);
  bus.publishEvent = (rk: string, body: { caseId?: string; status?: string }) => {
    if (body.status === 'actioned') mark(body.caseId, 'eventPublished');
    return publishEvent(rk, body);
  };
  if (!core.worker) throw new Error('the stage tracer needs the worker core');
  const graph = core.worker.graph as unknown as Record<string, (...a: any[]) => Promise<any>>;
  const invoke = graph.invoke!.bind(core.worker.graph);
  graph.invoke = async (input: unknown, cfg: { configurable?: { thread_id?: string } }) => {
    const id = cfg?.configurable?.thread_id;
    mark(id, 'graphStart');
    try {
      return await invoke(input, cfg);
    } finally {
      mark(id, 'graphEnd');
    }
  };
  core.onEvent((e) => {
    if (e.type === 'case.updated' && e.status === 'actioned') mark(e.caseId, 'eventReceived');
  });
  return {
    startCase: (caseId: string) => {
      marks.delete(caseId);
      mark(caseId, 'execute');
    },
    reset: () => marks.clear(),
    report(caseIds: string[], prefix = '') {
      const lines: string[] = [];
      const out: Record<string, ReturnType<typeof stats>> = {};
      for (const [a, b, what] of STAGES) {
        const d = caseIds.map((id) => marks.get(id)).filter((m): m is Record<string, number> => !!m && m[a] !== undefined && m[b] !== undefined).map((m) => m[b]! - m[a]!);
        const s = stats(d);
        out[`${a}→${b}`] = s;
        lines.push(`${prefix}${what.padEnd(100)} p50 ${f1(s.p50).padStart(6)}  p95 ${f1(s.p95).padStart(6)}  p99 ${f1(s.p99).padStart(6)} ms`);
      }
      console.log(lines.join('\n'));
      return out;
    },
  };
}
