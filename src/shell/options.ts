/**
 * How the shell is set up (main.ts builds it from the configuration). Not a port: the transport
 * never sees it, so it carries no store or engine types to the transport.
 */
import type { Logger } from 'pino';
import type { AgentSelectionPolicy, OrderingPolicy } from '../engine/options.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Journal } from '../store/journal.ts';
import type { WebhookSettings } from './webhook-dispatcher.ts';

export interface ShellOptions {
  readonly ordering: OrderingPolicy;
  readonly agentSelection: AgentSelectionPolicy;
  readonly now?: () => number;
  /** Fed with every engine call's events and duration. */
  readonly metrics?: Metrics;
  /** Write-ahead journal (the redis store); without it state lives in memory only. */
  readonly journal?: Journal;
  readonly log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Events kept in memory per tenant for subscribers that resume with a cursor (default 100,000). */
  readonly eventsRetained?: number;
  /** Ended interactions' histories kept in memory per tenant (default 100,000), and for how long (default 30 days). */
  readonly historyKept?: number;
  readonly historyRetentionMs?: number;
  /** How many of the customer's recent interactions an offer shows (default 5; 0: none). */
  readonly offerJourney?: number;
  /** A snapshot replica: replays the journal into its engine alone (no event feed, no histories, which no snapshot holds). */
  readonly replica?: boolean;
  /** How webhooks are delivered (defaults: DEFAULT_WEBHOOK_SETTINGS). */
  readonly webhooks?: WebhookSettings;
}
