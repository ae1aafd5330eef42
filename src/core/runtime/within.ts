/**
 * The answer of p, or late()'s error once `ms` passed without one. The attempt goes on; its late answer
 * (or failure) is ignored.
 */
export function within<T>(p: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const tooLate = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
    timer.unref?.();
  });
  p.catch(() => {});
  return Promise.race([p, tooLate]).finally(() => clearTimeout(timer));
}
