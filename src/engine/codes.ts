/**
 * Stable rejection codes. A rejected command changed nothing (but for AGENT_AT_CAPACITY, which
 * says what happens instead); these strings are part of the wire contract and never change meaning.
 */
export const RejectCode = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  UNKNOWN_SKILL: 'UNKNOWN_SKILL',
  UNKNOWN_QUEUE: 'UNKNOWN_QUEUE',
  UNKNOWN_AGENT: 'UNKNOWN_AGENT',
  UNKNOWN_INTERACTION: 'UNKNOWN_INTERACTION',
  UNKNOWN_OFFER: 'UNKNOWN_OFFER',
  OFFER_CLOSED: 'OFFER_CLOSED',
  OFFER_NOT_YOURS: 'OFFER_NOT_YOURS',
  NOT_ASSIGNED_TO_AGENT: 'NOT_ASSIGNED_TO_AGENT',
  INVALID_STATE: 'INVALID_STATE',
  INTERACTION_FINISHED: 'INTERACTION_FINISHED',
  AGENT_BUSY: 'AGENT_BUSY',
  CAPACITY_EXHAUSTED: 'CAPACITY_EXHAUSTED',
  /** RemoveQueue: work, agents or another queue still use it. */
  QUEUE_IN_USE: 'QUEUE_IN_USE',
  /** RemoveSkill: agents or interactions still use it. */
  SKILL_IN_USE: 'SKILL_IN_USE',
  /** SubmitInteraction: an exception rule of the queue refuses new work now. */
  QUEUE_REFUSED: 'QUEUE_REFUSED',
  /** SubmitInteraction: the queue is closed (its hours) and refuses work while closed. */
  QUEUE_CLOSED: 'QUEUE_CLOSED',
  /**
   * UpdateInteraction { active: true }: the agent has no room for the conversation now. It stays
   * inactive and becomes active at the agent's next free room (InteractionActivityChanged), in
   * the order of its waiting conversations' arrivals; the agent is offered nothing new until then.
   */
  AGENT_AT_CAPACITY: 'AGENT_AT_CAPACITY',
  /** UpdateInteraction { active: false }: the agent holds its channel's inactiveMax inactive conversations. */
  INACTIVE_LIMIT: 'INACTIVE_LIMIT',
  /** RemoveWebhook: no webhook has that id. */
  UNKNOWN_WEBHOOK: 'UNKNOWN_WEBHOOK',
} as const;

export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

export interface Rejection {
  readonly code: RejectCode;
  readonly message: string;
}

/** The answer to a request repeated after it took effect: it changes nothing (a safe retry). */
export const REPEATED = { duplicate: true } as const;
