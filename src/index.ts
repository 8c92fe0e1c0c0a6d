/** Public surface of the package. */
export { Engine } from './engine/engine.ts';
export type { ApplyResult, QueueStats, InteractionInfo, AgentLoad, EngineCounts } from './engine/engine.ts';
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
