/**
 * Removing an item from a small array that belongs to a long-lived record, keeping the array's
 * storage (see below): in order, or by moving the last item into its place.
 */
/**
 * The arrays below belong to long-lived records (an agent's offers and assignments) and are
 * emptied and filled again on every interaction. `splice` and `length = 0` give up the array's
 * storage, so the next push allocates a new one, which outlives the young generation (it lives
 * as long as the agent's next interaction) and is copied and promoted by the collector; `pop`
 * keeps it.
 */
export function removeInOrder<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i < 0) return;
  for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j];
  list.pop();
}

export function removeFrom<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i < 0) return;
  list[i] = list[list.length - 1];
  list.pop();
}
