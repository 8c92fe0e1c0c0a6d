/**
 * Best-first walk over a binary heap stored in an array: visits positions in key order (a
 * frontier of candidate positions, itself a tiny heap) and returns the first position whose
 * entry `accept`s, or -1. O(r log r) for r entries rejected before the answer. Shared by the
 * heaps' findFirst.
 */
export function bestFirst(size: number, less: (p: number, q: number) => boolean, accept: (p: number) => boolean): number {
  if (size === 0) return -1;
  if (accept(0)) return 0;
  const frontier: number[] = [];
  const push = (p: number) => {
    frontier.push(p);
    let i = frontier.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(frontier[i], frontier[parent])) break;
      [frontier[i], frontier[parent]] = [frontier[parent], frontier[i]];
      i = parent;
    }
  };
  const pop = (): number => {
    const top = frontier[0];
    const last = frontier.pop()!;
    if (frontier.length > 0) {
      frontier[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < frontier.length && less(frontier[l], frontier[m])) m = l;
        if (r < frontier.length && less(frontier[r], frontier[m])) m = r;
        if (m === i) break;
        [frontier[i], frontier[m]] = [frontier[m], frontier[i]];
        i = m;
      }
    }
    return top;
  };
  if (1 < size) push(1);
  if (2 < size) push(2);
  while (frontier.length > 0) {
    const p = pop();
    if (accept(p)) return p;
    const l = 2 * p + 1;
    if (l < size) push(l);
    if (l + 1 < size) push(l + 1);
  }
  return -1;
}
