/**
 * Semantic checks on commands. The wire layer already enforces shapes; these guard the engine
 * itself (it is also driven directly by the simulator and tests) and return rejections, never
 * throw.
 */
import { RejectCode, type Rejection } from './codes.ts';
import { MAX_LEVEL, MAX_PRIORITY, type EngineLimits } from './options.ts';
import type { CapacitySpec, Labels, SkillLevels } from './types.ts';

export function reject(code: RejectCode, message: string): Rejection {
  return { code, message };
}

export function checkId(value: unknown, what: string, limits: EngineLimits): Rejection | null {
  if (typeof value !== 'string' || value.length === 0) return reject(RejectCode.INVALID_ARGUMENT, `${what} must be a non-empty string`);
  if (value.length > limits.maxIdLength) return reject(RejectCode.LIMIT_EXCEEDED, `${what} longer than ${limits.maxIdLength} characters`);
  // Control characters are reserved (signature keys use them as separators) and never legitimate.
  if (CONTROL.test(value)) return reject(RejectCode.INVALID_ARGUMENT, `${what} must not contain control characters`);
  return null;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkDuration(value: unknown, what: string, allowNull = false): Rejection | null {
  if (allowNull && value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    return reject(RejectCode.INVALID_ARGUMENT, `${what} must be a finite number ≥ 0`);
  return null;
}

export function checkInt(value: unknown, what: string, min: number, max: number): Rejection | null {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    return reject(RejectCode.INVALID_ARGUMENT, `${what} must be an integer in [${min}, ${max}]`);
  return null;
}

export function checkPriority(value: unknown): Rejection | null {
  return checkInt(value, 'priority', 0, MAX_PRIORITY);
}

export function checkSkillLevels(
  levels: SkillLevels | undefined,
  what: string,
  max: number,
  known: ReadonlySet<string>,
  limits: EngineLimits,
): Rejection | null {
  if (levels === undefined) return null;
  if (levels === null || typeof levels !== 'object') return reject(RejectCode.INVALID_ARGUMENT, `${what} must be an object`);
  const keys = Object.keys(levels);
  if (keys.length > max) return reject(RejectCode.LIMIT_EXCEEDED, `${what}: more than ${max} entries`);
  for (const k of keys) {
    const bad = checkId(k, `${what} skill id`, limits);
    if (bad) return bad;
    if (!known.has(k)) return reject(RejectCode.UNKNOWN_SKILL, `${what}: skill '${k}' is not defined`);
    const lvl = checkInt(levels[k], `${what}.${k} level`, 1, MAX_LEVEL);
    if (lvl) return lvl;
  }
  return null;
}

export function checkLabels(labels: Labels | undefined, what: string, limits: EngineLimits): Rejection | null {
  if (labels === undefined) return null;
  if (labels === null || typeof labels !== 'object') return reject(RejectCode.INVALID_ARGUMENT, `${what} must be an object`);
  const keys = Object.keys(labels);
  if (keys.length > limits.maxLabelsPerEntity) return reject(RejectCode.LIMIT_EXCEEDED, `${what}: more than ${limits.maxLabelsPerEntity} labels`);
  for (const k of keys) {
    const bad = checkId(k, `${what} key`, limits) ?? checkId(labels[k], `${what}.${k}`, limits);
    if (bad) return bad;
  }
  return null;
}

export function checkCapacity(cap: CapacitySpec | undefined, limits: EngineLimits): Rejection | null {
  if (cap === undefined) return null;
  if (cap === null || typeof cap !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'capacity must be an object');
  const total = checkInt(cap.total, 'capacity.total', 1, limits.maxCapacityUnits);
  if (total) return total;
  if (cap.channels === null || typeof cap.channels !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'capacity.channels must be an object');
  const chans = Object.keys(cap.channels);
  if (chans.length === 0) return reject(RejectCode.INVALID_ARGUMENT, 'capacity.channels must name at least one channel');
  if (chans.length > limits.maxChannels) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${limits.maxChannels} channels`);
  for (const c of chans) {
    const spec = cap.channels[c];
    const bad =
      checkId(c, 'channel', limits) ??
      (spec === null || typeof spec !== 'object' ? reject(RejectCode.INVALID_ARGUMENT, `capacity.channels.${c} must be an object`) : null) ??
      checkInt(spec.cost, `capacity.channels.${c}.cost`, 0, limits.maxCapacityUnits) ??
      checkInt(spec.max, `capacity.channels.${c}.max`, 1, limits.maxCapacityUnits);
    if (bad) return bad;
  }
  return null;
}
