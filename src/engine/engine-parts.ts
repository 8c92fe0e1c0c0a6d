/**
 * The components one engine is made of, built once in its constructor and shared by reference:
 * what the queries, explanations and snapshots read. The state machine (engine.ts) holds each of
 * them in a readonly field of its own as well, so the hot path reads one field, not two.
 */
import type { BoundedMap } from '../queues/bounded-map.ts';
import type { IdWindow } from '../queues/id-window.ts';
import type { LinkedLists } from '../queues/linked-list.ts';
import type { AgentSelection } from './agent-selection.ts';
import type { AgentTable } from './agent-table.ts';
import type { ClosedOffers } from './closed-offers.ts';
import type { Conversations } from './conversations.ts';
import type { Deadlines } from './deadlines.ts';
import type { Queue } from './entities.ts';
import type { InteractionTable } from './interaction-table.ts';
import type { EngineOptions } from './options.ts';
import type { Ordering } from './ordering.ts';
import type { Overload } from './overload.ts';
import type { RepeatContacts } from './repeat-contacts.ts';
import type { Reservation } from './reservation.ts';
import type { RoutingIndex } from './routing-index.ts';
import type { InteractionStatus } from './types.ts';

export interface EngineParts {
  readonly options: EngineOptions;
  readonly queues: Map<string, Queue>;
  readonly ixs: InteractionTable;
  readonly agents: AgentTable;
  readonly index: RoutingIndex;
  readonly deadlines: Deadlines;
  readonly closed: ClosedOffers;
  /** Each queue's queued and offered interactions in order of entering it (by slot). */
  readonly lists: LinkedLists;
  /** Final status of recently finished interaction ids (idempotency window, I6). */
  readonly finished: IdWindow<InteractionStatus>;
  /** A customer's last agent, for the preference window. */
  readonly lastAgent: BoundedMap<string, string>;
  /** Each customer's last contact, for repeat contacts. */
  readonly repeats: RepeatContacts;
  readonly ordering: Ordering;
  readonly selection: AgentSelection;
  readonly reservation: Reservation;
  readonly overload: Overload;
  readonly conversations: Conversations;
}
