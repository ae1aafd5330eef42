// Summarises a V8 .cpuprofile (node --cpu-prof): self time by package/area and the top functions,
// plus inclusive time of selected frames. Used to say where the time goes (BENCHMARKS.md).
//
//   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/pipeline.ts --n 1000
//   npx tsx bench/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [--top 40] [--focus saveAnalysis,getState]
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/builtin)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1]!;
  const s = url.match(/\/(src\/[^/]+\/[^/]+|bench|test\/[^/]+)/);
  if (s) return s[1]!;
  if (url.startsWith('node:')) return url.split('/')[0]!.replace(/^node:/, 'node:') + ' (' + url.slice(5).split('/')[0] + ')';
  return url;
}

export function summarise(file: string, top = 30, focus: string[] = [], attribute: string[] = []) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;

  const byArea = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') continue;
    const a = area(cf.url, cf.functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + t);
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench|test)\//, '$1/')}:${cf.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
  }
  const pct = (t: number) => `${((t / busy) * 100).toFixed(1).padStart(5)} %`;
  console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s`);
  console.log('\nself time by area (share of busy time):');
  for (const [a, t] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, 25)) console.log(`  ${pct(t)}  ${a}`);
  console.log(`\ntop ${top} functions by self time:`);
  for (const [f, t] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(t)}  ${f}`);

  // inclusive time of frames whose function name or url contains a focus string (counted once per sample)
  if (focus.length) {
    console.log('\ninclusive time (share of busy time):');
    for (const fstr of focus) {
      let t = 0;
      for (const [id, st] of self) {
        let cur: number | undefined = id;
        while (cur !== undefined) {
          const cf = byId.get(cur)!.callFrame;
          if (`${cf.functionName} ${cf.url}`.includes(fstr)) {
            t += st;
            break;
          }
          cur = parent.get(cur);
        }
      }
      console.log(`  ${pct(t)}  ${fstr}`);
    }
  }

  // who calls the named hot functions: first caller frame that is ours or a package (not node internals)
  for (const fname of attribute) {
    const callers = new Map<string, number>();
    let sum = 0;
    for (const [id, st] of self) {
      if (byId.get(id)!.callFrame.functionName !== fname) continue;
      sum += st;
      const chain: string[] = [];
      let cur = parent.get(id);
      while (cur !== undefined && chain.length < 3) {
        const cf = byId.get(cur)!.callFrame;
        if (/node_modules|\/src\/|\/bench\//.test(cf.url)) chain.push(`${cf.functionName || '(anon)'}@${cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}:${cf.lineNumber + 1}`);
        cur = parent.get(cur);
      }
      const key = chain.join(' < ') || '(no package frame)';
      callers.set(key, (callers.get(key) ?? 0) + st);
    }
    console.log(`\ncallers of ${fname} (${pct(sum)} of busy):`);
    for (const [k, t] of [...callers].sort((x, y) => y[1] - x[1]).slice(0, 12)) console.log(`  ${pct(t)}  ${k}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const files = args.filter((a) => a.endsWith('.cpuprofile'));
  const topIdx = args.indexOf('--top');
  const focusIdx = args.indexOf('--focus');
  const attrIdx = args.indexOf('--callers');
  for (const f of files)
    summarise(f, topIdx >= 0 ? Number(args[topIdx + 1]) : 30, focusIdx >= 0 ? args[focusIdx + 1]!.split(',') : [], attrIdx >= 0 ? args[attrIdx + 1]!.split(',') : []);
}
