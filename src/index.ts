/** Public surface of the package. */
export { Engine } from './engine/engine.ts';
export type {
  ApplyResult,
  QueueStats,
  InteractionInfo,
  AgentLoad,
  WaitingInteraction,
  EngineCounts,
  Explanation,
  AgentVerdict,
  NotTakingReason,
  ChoiceExplanation,
} from './engine/engine.ts';
export { RejectCode } from './engine/codes.ts';
export type { Rejection } from './engine/codes.ts';
export * from './engine/types.ts';
export {
  DEFAULT_OPTIONS,
  DEFAULT_LIMITS,
  ORDERING_POLICIES,
  AGENT_SELECTION_POLICIES,
  resolveOptions,
} from './engine/options.ts';
export type {
  EngineOptions,
  EngineOptionsInput,
  EngineLimits,
  OrderingPolicy,
  AgentSelectionPolicy,
} from './engine/options.ts';
export { decodeFrame, encodeFrame, SUBPROTOCOLS, DEFAULT_FRAME_LIMITS } from './protocol/codec.ts';
export type { Encoding, FrameLimits, Decoded } from './protocol/codec.ts';
export { parseRequest, protocolJsonSchema, PlatformRequest, AgentRequest, SupervisorRequest } from './protocol/schemas.ts';
export type { Role, Parsed } from './protocol/schemas.ts';
export { ProtocolCode, CloseCode } from './protocol/codes.ts';
export { PlatformClient, AgentClient, SupervisorClient } from './client/clients.ts';
export type { AssignedPush, FeedEvent, JourneyItem, OfferPush } from './client/clients.ts';
export { Connection, SwitchboardError } from './client/connection.ts';
export type { ConnectionOptions, WebSocketLike, WebSocketConstructor, Push } from './client/connection.ts';
