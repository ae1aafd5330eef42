// The queue's first page goes first (issue 14, bench:ui "first row ≤ 500 ms"). A person's session has a few
// database connections (src/core/session/person-session.ts); the reads the first screen can do without —
// the people list, saved views, update state, the undo setting, the outbox — wait until the queue's first
// answer has arrived, so they do not take those connections ahead of it. A screen that shows no queue opens
// the gate after a second. Wellbeing settings are not gated: they decide what is blurred in the first rows.
let opened = false;
let release: () => void = () => {};
const gate = new Promise<void>((r) => {
  release = r;
});
let timer: ReturnType<typeof setTimeout> | undefined;

/** The queue's first answer (rows or an error) has arrived. */
export function firstPageAnswered(): void {
  if (opened) return;
  opened = true;
  if (timer) clearTimeout(timer);
  release();
}

/** Resolves once the first page has been answered (at once afterwards; within a second at the latest). */
export function afterFirstPage(): Promise<void> {
  if (!opened) timer ??= setTimeout(firstPageAnswered, 1000);
  return gate;
}
