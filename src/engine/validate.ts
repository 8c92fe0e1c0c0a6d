/**
 * Semantic checks on commands. The wire layer already enforces shapes; these guard the engine
 * itself (it is also driven directly by the simulator and tests) and return rejections, never
 * throw.
 */
import { RejectCode, type Rejection } from './codes.ts';
import {
  MAX_EXCEPTION_RULES,
  MAX_HOLD_MS,
  MAX_LEVEL,
  MAX_OFFER_FANOUT,
  MAX_PRIORITY,
  MAX_QUEUE_LEVEL,
  MAX_DEFER_QUEUES,
  MAX_INACTIVE_PER_CHANNEL,
  MAX_OVERLOAD_WAIT_MS,
  MAX_RESERVED_IDLE,
  MAX_REPEAT_WITHIN_MS,
  MAX_OFFER_JOURNEY,
  type EngineLimits,
} from './options.ts';
import { SELECTOR_OPS, operandsOf } from './selectors.ts';
import { type HoursInterval, knownTimeZone, minutesOf } from './hours.ts';
import type {
  AgentSpec,
  CapacitySpec,
  InteractionSpec,
  Labels,
  OverloadThresholds,
  QueueHours,
  QueueSpec,
  RepeatContact,
  Requirement,
  Selector,
  SkillLevels,
} from './types.ts';

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

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkDuration(value: unknown, what: string, allowNull = false): Rejection | null {
  if (allowNull && value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return reject(RejectCode.INVALID_ARGUMENT, `${what} must be a finite number ≥ 0`);
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
    const bad = checkId(k, `${what} key`, limits) ?? checkLabelValue(labels[k], `${what}.${k}`, limits);
    if (bad) return bad;
  }
  return null;
}

/** A label value: an id-like string or a finite number. */
export function checkLabelValue(value: unknown, what: string, limits: EngineLimits): Rejection | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : reject(RejectCode.INVALID_ARGUMENT, `${what} must be a finite number or a string`);
  return checkId(value, what, limits);
}

/** An interaction's selectors; `shorthand` labels count toward the same limit. */
export function checkSelectors(list: readonly Selector[] | undefined, shorthand: number, what: string, L: EngineLimits): Rejection | null {
  if (list === undefined) return null;
  if (!Array.isArray(list)) return reject(RejectCode.INVALID_ARGUMENT, `${what} must be a list`);
  if (list.length + shorthand > L.maxSelectorsPerInteraction)
    return reject(RejectCode.LIMIT_EXCEEDED, `${what}: more than ${L.maxSelectorsPerInteraction} selectors (labels included)`);
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    const at = `${what}[${i}]`;
    if (s === null || typeof s !== 'object') return reject(RejectCode.INVALID_ARGUMENT, `${at} must be an object`);
    const bad = checkId(s.key, `${at}.key`, L);
    if (bad) return bad;
    if (!(SELECTOR_OPS as readonly unknown[]).includes(s.op)) return reject(RejectCode.INVALID_ARGUMENT, `${at}.op must be one of ${SELECTOR_OPS.join(', ')}`);
    const takes = operandsOf(s.op);
    const hasValue = s.value !== undefined;
    const hasValues = s.values !== undefined;
    if (takes === 'values') {
      if (hasValue || !Array.isArray(s.values) || s.values.length === 0)
        return reject(RejectCode.INVALID_ARGUMENT, `${at}: ${s.op} takes a non-empty values list and no value`);
      if (s.values.length > L.maxSelectorValues) return reject(RejectCode.LIMIT_EXCEEDED, `${at}: more than ${L.maxSelectorValues} values`);
      for (const v of s.values) {
        const b = checkLabelValue(v, `${at}.values`, L);
        if (b) return b;
      }
    } else if (takes === 'none') {
      if (hasValue || hasValues) return reject(RejectCode.INVALID_ARGUMENT, `${at}: ${s.op} takes no value`);
    } else {
      if (!hasValue || hasValues) return reject(RejectCode.INVALID_ARGUMENT, `${at}: ${s.op} takes a value and no values list`);
      if (takes === 'number' && (typeof s.value !== 'number' || !Number.isFinite(s.value)))
        return reject(RejectCode.INVALID_ARGUMENT, `${at}: ${s.op} compares numbers: value must be a finite number`);
      const b = checkLabelValue(s.value, `${at}.value`, L);
      if (b) return b;
    }
  }
  return null;
}

/** An agent's queue memberships, against the queues defined so far. */
export function checkMemberships(queues: AgentSpec['queues'], defined: ReadonlyMap<string, unknown>, L: EngineLimits): Rejection | null {
  if (queues === undefined) return null;
  if (queues === null || typeof queues !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'agent queues must be an object');
  const ids = Object.keys(queues);
  if (ids.length > L.maxQueuesPerAgent) return reject(RejectCode.LIMIT_EXCEEDED, `agent queues: more than ${L.maxQueuesPerAgent} queues`);
  for (const id of ids) {
    const m = queues[id];
    const bad =
      checkId(id, 'agent queues key', L) ??
      (m === null || typeof m !== 'object' ? reject(RejectCode.INVALID_ARGUMENT, `agent queues.${id} must be an object`) : null) ??
      (m.priority === undefined ? null : checkInt(m.priority, `agent queues.${id}.priority`, 1, MAX_QUEUE_LEVEL)) ??
      (m.delayMs === undefined ? null : checkDuration(m.delayMs, `agent queues.${id}.delayMs`)) ??
      (m.reserve === undefined || typeof m.reserve === 'boolean' ? null : reject(RejectCode.INVALID_ARGUMENT, `agent queues.${id}.reserve must be a boolean`));
    if (bad) return bad;
    if (!defined.has(id)) return reject(RejectCode.UNKNOWN_QUEUE, `agent queues: queue '${id}' is not defined`);
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
      checkInt(spec.max, `capacity.channels.${c}.max`, 1, limits.maxCapacityUnits) ??
      (spec.inactiveMax === undefined ? null : checkInt(spec.inactiveMax, `capacity.channels.${c}.inactiveMax`, 0, MAX_INACTIVE_PER_CHANNEL));
    if (bad) return bad;
  }
  return null;
}

/** The checks of UpsertQueue, in order, against the queues defined so far. */
export function checkQueueSpec(spec: QueueSpec, queues: ReadonlyMap<string, unknown>, L: EngineLimits): Rejection | null {
  if (spec === null || typeof spec !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'queue must be an object');
  const bad =
    checkId(spec.id, 'queue id', L) ??
    (spec.serviceObjective === undefined
      ? null
      : (checkInt(spec.serviceObjective?.percent, 'serviceObjective.percent', 0, 100) ??
        checkInt(spec.serviceObjective?.thresholdMs, 'serviceObjective.thresholdMs', 1, 7 * 24 * 3600_000))) ??
    (spec.weight === undefined
      ? null
      : typeof spec.weight === 'number' && spec.weight > 0 && spec.weight <= 1000
        ? null
        : reject(RejectCode.INVALID_ARGUMENT, 'weight must be in (0, 1000]')) ??
    (spec.defaultPriority === undefined ? null : checkPriority(spec.defaultPriority)) ??
    (spec.offerTimeoutMs === undefined ? null : checkDuration(spec.offerTimeoutMs, 'offerTimeoutMs')) ??
    (spec.wrapUpMs === undefined ? null : checkDuration(spec.wrapUpMs, 'wrapUpMs')) ??
    (spec.maxWaitMs === undefined ? null : checkDuration(spec.maxWaitMs, 'maxWaitMs', true)) ??
    (spec.escalateAfterMs === undefined ? null : checkDuration(spec.escalateAfterMs, 'escalateAfterMs', true)) ??
    (spec.preferredWindowMs === undefined ? null : checkDuration(spec.preferredWindowMs, 'preferredWindowMs')) ??
    (spec.noAnswerAway === undefined || typeof spec.noAnswerAway === 'boolean'
      ? null
      : reject(RejectCode.INVALID_ARGUMENT, 'noAnswerAway must be a boolean')) ??
    (spec.membersOnly === undefined || typeof spec.membersOnly === 'boolean' ? null : reject(RejectCode.INVALID_ARGUMENT, 'membersOnly must be a boolean')) ??
    (spec.wrapUpMode === undefined || spec.wrapUpMode === 'timed' || spec.wrapUpMode === 'manual'
      ? null
      : reject(RejectCode.INVALID_ARGUMENT, 'wrapUpMode must be timed or manual')) ??
    (spec.offerFanout === undefined ? null : checkInt(spec.offerFanout, 'offerFanout', 1, MAX_OFFER_FANOUT)) ??
    (spec.reservedIdle === undefined ? null : checkInt(spec.reservedIdle, 'reservedIdle', 0, MAX_RESERVED_IDLE));
  if (bad) return bad;
  if (spec.overflowQueue !== undefined && spec.overflowQueue !== null) {
    const b2 = checkId(spec.overflowQueue, 'overflowQueue', L);
    if (b2) return b2;
    if (spec.overflowQueue === spec.id) return reject(RejectCode.INVALID_ARGUMENT, 'a queue cannot overflow into itself');
    if (!queues.has(spec.overflowQueue)) return reject(RejectCode.UNKNOWN_QUEUE, `overflow queue '${spec.overflowQueue}' is not defined`);
  }
  return (
    (spec.exceptions === undefined ? null : checkExceptions(spec.exceptions, spec.id, queues, L)) ??
    checkOverload(spec, queues, L) ??
    (spec.hours === undefined || spec.hours === null ? null : checkHours(spec.hours, spec.id, queues, L)) ??
    (spec.repeatContact === undefined || spec.repeatContact === null ? null : checkRepeatContact(spec.repeatContact)) ??
    (spec.offerJourney === undefined || spec.offerJourney === null ? null : checkInt(spec.offerJourney, 'offerJourney', 0, MAX_OFFER_JOURNEY))
  );
}

function checkRepeatContact(r: RepeatContact): Rejection | null {
  if (typeof r !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'repeatContact must be an object or null');
  return checkInt(r.withinMs, 'repeatContact.withinMs', 1, MAX_REPEAT_WITHIN_MS) ?? checkInt(r.priorityBoost, 'repeatContact.priorityBoost', 1, MAX_PRIORITY);
}

/** The most weekly entries, dated overrides and intervals per override of a queue's hours. */
const MAX_WEEKLY_HOURS = 28;
const MAX_HOURS_OVERRIDES = 400;
const MAX_OVERRIDE_INTERVALS = 8;

/** Hours of operation: a known time zone, well-formed intervals (close after open), dated overrides, a closed action. */
function checkHours(h: QueueHours, queueId: string, queues: ReadonlyMap<string, unknown>, L: EngineLimits): Rejection | null {
  const bad = (msg: string) => reject(RejectCode.INVALID_ARGUMENT, `hours: ${msg}`);
  if (typeof h !== 'object') return bad('must be an object or null');
  if (typeof h.timeZone !== 'string' || !knownTimeZone(h.timeZone)) return bad(`unknown time zone '${String(h.timeZone)}'`);
  const interval = (i: HoursInterval | null, what: string): Rejection | null => {
    if (i === null || typeof i !== 'object') return bad(`${what} must be {open, close}`);
    const o = minutesOf(i.open);
    const c = minutesOf(i.close);
    if (Number.isNaN(o) || Number.isNaN(c)) return bad(`${what}: open and close are HH:MM from 00:00 to 24:00`);
    return c > o ? null : bad(`${what}: close must be after open`);
  };
  if (!Array.isArray(h.weekly) || h.weekly.length > MAX_WEEKLY_HOURS) return bad(`weekly must be a list of at most ${MAX_WEEKLY_HOURS}`);
  for (let k = 0; k < h.weekly.length; k++) {
    const w = h.weekly[k];
    const b = interval(w, `weekly[${k}]`);
    if (b) return b;
    if (!Array.isArray(w.days) || w.days.length === 0 || w.days.some((d: number) => !Number.isInteger(d) || d < 0 || d > 6))
      return bad(`weekly[${k}].days must list days 0 (Sunday) to 6`);
  }
  const overrides = h.overrides ?? [];
  if (!Array.isArray(overrides) || overrides.length > MAX_HOURS_OVERRIDES) return bad(`overrides must be a list of at most ${MAX_HOURS_OVERRIDES}`);
  for (let k = 0; k < overrides.length; k++) {
    const o = overrides[k];
    if (o === null || typeof o !== 'object' || typeof o.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(o.date))
      return bad(`overrides[${k}].date must be YYYY-MM-DD`);
    const list = o.intervals ?? [];
    if (!Array.isArray(list) || list.length > MAX_OVERRIDE_INTERVALS) return bad(`overrides[${k}].intervals: at most ${MAX_OVERRIDE_INTERVALS}`);
    for (let j = 0; j < list.length; j++) {
      const b = interval(list[j], `overrides[${k}].intervals[${j}]`);
      if (b) return b;
    }
  }
  if (h.pauseServiceLevel !== undefined && typeof h.pauseServiceLevel !== 'boolean') return bad('pauseServiceLevel must be a boolean');
  const a = h.closedAction;
  if (a === undefined) return null;
  if (a === null || typeof a !== 'object' || (a.type !== 'refuse' && a.type !== 'hold' && a.type !== 'overflow'))
    return bad('closedAction.type must be refuse, hold or overflow');
  if (a.type !== 'overflow') return null;
  const b = checkId(a.queue, 'hours.closedAction.queue', L);
  if (b) return b;
  if (a.queue === queueId) return bad('a queue cannot overflow into itself');
  return queues.has(a.queue) ? null : reject(RejectCode.UNKNOWN_QUEUE, `hours.closedAction: queue '${a.queue}' is not defined`);
}

/**
 * reserveWhen, reserveUntil and deferrable, against the queue's current settings (an upsert may
 * name reserveUntil alone): thresholds in range, recovery no stricter than the start, deferral
 * on 1–8 other defined queues.
 */
function checkOverload(spec: QueueSpec, queues: ReadonlyMap<string, unknown>, L: EngineLimits): Rejection | null {
  const current = queues.get(spec.id) as { reserveWhen?: OverloadThresholds | null } | undefined;
  const when = spec.reserveWhen !== undefined ? spec.reserveWhen : (current?.reserveWhen ?? null);
  if (spec.reserveWhen !== undefined && spec.reserveWhen !== null) {
    const w = spec.reserveWhen;
    if (typeof w !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'reserveWhen must be an object or null');
    const bad = checkKeys(w, 'reserveWhen', ['estimatedWaitMs', 'oldestWaitMs', 'serviceLevelBelow']) ?? checkWaits(w, 'reserveWhen');
    if (bad) return bad;
    if (w.serviceLevelBelow !== undefined && !(typeof w.serviceLevelBelow === 'number' && w.serviceLevelBelow > 0 && w.serviceLevelBelow <= 1))
      return reject(RejectCode.INVALID_ARGUMENT, 'reserveWhen.serviceLevelBelow must be in (0, 1]');
    if (w.estimatedWaitMs === undefined && w.oldestWaitMs === undefined && w.serviceLevelBelow === undefined)
      return reject(RejectCode.INVALID_ARGUMENT, 'reserveWhen must name estimatedWaitMs, oldestWaitMs or serviceLevelBelow');
  }
  if (spec.reserveUntil !== undefined && spec.reserveUntil !== null) {
    const u = spec.reserveUntil;
    if (typeof u !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'reserveUntil must be an object or null');
    if (when === null) return reject(RejectCode.INVALID_ARGUMENT, 'reserveUntil needs reserveWhen');
    const bad = checkKeys(u, 'reserveUntil', ['estimatedWaitMs', 'oldestWaitMs', 'serviceLevelAtLeast']) ?? checkWaits(u, 'reserveUntil');
    if (bad) return bad;
    for (const k of ['estimatedWaitMs', 'oldestWaitMs'] as const) {
      if (u[k] === undefined) continue;
      if (when[k] === undefined) return reject(RejectCode.INVALID_ARGUMENT, `reserveUntil.${k} needs reserveWhen.${k}`);
      if (u[k] > when[k]) return reject(RejectCode.INVALID_ARGUMENT, `reserveUntil.${k} must be at most reserveWhen.${k} (${when[k]})`);
    }
    if (u.serviceLevelAtLeast !== undefined) {
      if (when.serviceLevelBelow === undefined)
        return reject(RejectCode.INVALID_ARGUMENT, 'reserveUntil.serviceLevelAtLeast needs reserveWhen.serviceLevelBelow');
      if (!(typeof u.serviceLevelAtLeast === 'number' && u.serviceLevelAtLeast >= when.serviceLevelBelow && u.serviceLevelAtLeast <= 1))
        return reject(RejectCode.INVALID_ARGUMENT, `reserveUntil.serviceLevelAtLeast must be in [${when.serviceLevelBelow}, 1]`);
    }
  }
  if (spec.deferrable !== undefined && spec.deferrable !== null) {
    const d = spec.deferrable;
    if (typeof d !== 'object' || !Array.isArray(d.whileHealthy))
      return reject(RejectCode.INVALID_ARGUMENT, 'deferrable must be {whileHealthy: [queue ids]} or null');
    if (d.whileHealthy.length < 1 || d.whileHealthy.length > MAX_DEFER_QUEUES)
      return reject(RejectCode.INVALID_ARGUMENT, `deferrable.whileHealthy must name 1 to ${MAX_DEFER_QUEUES} queues`);
    for (const id of d.whileHealthy) {
      const b = checkId(id, 'deferrable.whileHealthy', L);
      if (b) return b;
      if (id === spec.id) return reject(RejectCode.INVALID_ARGUMENT, 'a queue cannot defer to itself');
      if (!queues.has(id)) return reject(RejectCode.UNKNOWN_QUEUE, `deferrable.whileHealthy: queue '${id}' is not defined`);
    }
  }
  return null;
}

/** Only these keys. */
function checkKeys(o: object, what: string, keys: readonly string[]): Rejection | null {
  for (const k of Object.keys(o)) if (!keys.includes(k)) return reject(RejectCode.INVALID_ARGUMENT, `${what}.${k} is not a field (${keys.join(', ')})`);
  return null;
}

/** estimatedWaitMs and oldestWaitMs, when named: 1 ms to a week. */
function checkWaits(o: { readonly estimatedWaitMs?: unknown; readonly oldestWaitMs?: unknown }, what: string): Rejection | null {
  return (
    (o.estimatedWaitMs === undefined ? null : checkInt(o.estimatedWaitMs, `${what}.estimatedWaitMs`, 1, MAX_OVERLOAD_WAIT_MS)) ??
    (o.oldestWaitMs === undefined ? null : checkInt(o.oldestWaitMs, `${what}.oldestWaitMs`, 1, MAX_OVERLOAD_WAIT_MS))
  );
}

/** Exception rules: at most MAX_EXCEPTION_RULES, each a known trigger with its threshold and a known action. */
function checkExceptions(rules: unknown, queueId: string, queues: ReadonlyMap<string, unknown>, L: EngineLimits): Rejection | null {
  if (!Array.isArray(rules)) return reject(RejectCode.INVALID_ARGUMENT, 'exceptions must be a list');
  if (rules.length > MAX_EXCEPTION_RULES) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${MAX_EXCEPTION_RULES} exception rules`);
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i] as { trigger?: Record<string, unknown>; action?: Record<string, unknown> } | null;
    const what = `exceptions[${i}]`;
    if (r === null || typeof r !== 'object' || r.trigger === null || typeof r.trigger !== 'object' || r.action === null || typeof r.action !== 'object')
      return reject(RejectCode.INVALID_ARGUMENT, `${what} must be {trigger, action}`);
    const t = r.trigger;
    const a = r.action;
    const bad =
      t.type === 'queueLength'
        ? checkInt(t.threshold, `${what}.trigger.threshold`, 0, 1_000_000)
        : t.type === 'waitMs' || t.type === 'estimatedWaitMs'
          ? checkDuration(t.threshold, `${what}.trigger.threshold`)
          : t.type === 'serviceLevelBelow'
            ? typeof t.threshold === 'number' && t.threshold > 0 && t.threshold <= 1
              ? null
              : reject(RejectCode.INVALID_ARGUMENT, `${what}.trigger.threshold must be in (0, 1]`)
            : t.type === 'noEligibleAgents'
              ? null
              : reject(RejectCode.INVALID_ARGUMENT, `${what}.trigger.type must be queueLength, waitMs, estimatedWaitMs, noEligibleAgents or serviceLevelBelow`);
    if (bad) return bad;
    if (a.type === 'overflow') {
      const b = checkId(a.queue, `${what}.action.queue`, L);
      if (b) return b;
      if (a.queue === queueId) return reject(RejectCode.INVALID_ARGUMENT, `${what}: a queue cannot overflow into itself`);
      if (!queues.has(a.queue as string)) return reject(RejectCode.UNKNOWN_QUEUE, `${what}: queue '${String(a.queue)}' is not defined`);
    } else if (a.type === 'setPriority') {
      const b = checkPriority(a.priority);
      if (b) return b;
    } else if (a.type === 'cancel') {
      const b = a.reason === undefined ? null : checkId(a.reason, `${what}.action.reason`, L);
      if (b) return b;
    } else if (a.type === 'refuse') {
      if (t.type === 'waitMs') return reject(RejectCode.INVALID_ARGUMENT, `${what}: refuse applies to submissions only, not to waitMs`);
    } else return reject(RejectCode.INVALID_ARGUMENT, `${what}.action.type must be overflow, setPriority, cancel or refuse`);
  }
  return null;
}

/** The checks of UpsertAgent's fields, in order. */
export function checkAgentSpec(spec: AgentSpec, skills: ReadonlySet<string>, queues: ReadonlyMap<string, unknown>, L: EngineLimits): Rejection | null {
  if (spec === null || typeof spec !== 'object') return reject(RejectCode.INVALID_ARGUMENT, 'agent must be an object');
  return (
    checkId(spec.id, 'agent id', L) ??
    checkSkillLevels(spec.skills, 'agent skills', L.maxSkillsPerAgent, skills, L) ??
    checkLabels(spec.labels, 'agent labels', L) ??
    checkCapacity(spec.capacity, L) ??
    checkMemberships(spec.queues, queues, L)
  );
}

/**
 * The checks of SubmitInteraction's fields after its id (which is checked first, so a duplicate
 * is answered as one before anything else is looked at), against the defined skills, agents and
 * queues.
 */
export function checkInteractionSpec(
  spec: InteractionSpec,
  skills: ReadonlySet<string>,
  agents: ReadonlyMap<string, unknown>,
  queues: ReadonlyMap<string, unknown>,
  L: EngineLimits,
): Rejection | null {
  return (
    checkId(spec.channel, 'channel', L) ??
    checkId(spec.queue, 'queue', L) ??
    // The interaction's own requirement, with constant field names (no strings built per submission).
    checkSkillLevels(spec.skills, 'skills', L.maxRequirementsPerInteraction, skills, L) ??
    checkLabels(spec.labels, 'labels', L) ??
    (spec.selectors === undefined
      ? null
      : checkSelectors(spec.selectors, spec.labels !== null && typeof spec.labels === 'object' ? Object.keys(spec.labels).length : 0, 'selectors', L)) ??
    (spec.alternatives === undefined ? null : checkAlternatives(spec.alternatives, 'alternatives', spec, skills, L)) ??
    (spec.customerId === undefined ? null : checkId(spec.customerId, 'customerId', L)) ??
    (spec.valueTier === undefined ? null : checkInt(spec.valueTier, 'valueTier', 0, 100)) ??
    (spec.priority === undefined ? null : checkPriority(spec.priority)) ??
    (spec.slaDeadline === undefined ? null : checkDuration(spec.slaDeadline, 'slaDeadline')) ??
    checkPreferred(spec.preferredAgents, agents, L) ??
    checkRequiredAgents(spec.requiredAgents, spec.requiredForMs, L) ??
    checkRelaxation(spec.relaxation, spec, skills, queues, L)
  );
}

/** One requirement (an interaction's own, an alternative's or a step's): skills, labels, selectors. */
export function checkRequirement(r: Requirement, prefix: string, skills: ReadonlySet<string>, L: EngineLimits): Rejection | null {
  if (r === null || typeof r !== 'object') return reject(RejectCode.INVALID_ARGUMENT, `${prefix || 'requirement'} must be an object`);
  return (
    checkSkillLevels(r.skills, `${prefix}skills`, L.maxRequirementsPerInteraction, skills, L) ??
    checkLabels(r.labels, `${prefix}labels`, L) ??
    (r.selectors === undefined
      ? null
      : checkSelectors(r.selectors, r.labels !== null && typeof r.labels === 'object' ? Object.keys(r.labels).length : 0, `${prefix}selectors`, L))
  );
}

/** Alternatives: at most maxAlternatives, each a requirement; with the common part, each within the limits. */
export function checkAlternatives(
  list: readonly Requirement[] | undefined,
  what: string,
  common: Requirement,
  skills: ReadonlySet<string>,
  L: EngineLimits,
): Rejection | null {
  if (list === undefined) return null;
  if (!Array.isArray(list)) return reject(RejectCode.INVALID_ARGUMENT, `${what} must be a list`);
  if (list.length > L.maxAlternatives) return reject(RejectCode.LIMIT_EXCEEDED, `${what}: more than ${L.maxAlternatives} alternatives`);
  for (let i = 0; i < list.length; i++) {
    const alt = list[i];
    const bad = checkRequirement(alt, `${what}[${i}].`, skills, L);
    if (bad) return bad;
    const skillCount = new Set([...Object.keys(common.skills ?? {}), ...Object.keys(alt.skills ?? {})]).size;
    if (skillCount > L.maxRequirementsPerInteraction)
      return reject(RejectCode.LIMIT_EXCEEDED, `${what}[${i}]: more than ${L.maxRequirementsPerInteraction} skills with the common ones`);
    const selectorCount =
      new Set([...Object.keys(common.labels ?? {}), ...Object.keys(alt.labels ?? {})]).size + (common.selectors?.length ?? 0) + (alt.selectors?.length ?? 0);
    if (selectorCount > L.maxSelectorsPerInteraction)
      return reject(RejectCode.LIMIT_EXCEEDED, `${what}[${i}]: more than ${L.maxSelectorsPerInteraction} selectors with the common ones`);
  }
  return null;
}

export function checkPreferred(list: readonly string[] | undefined, agents: ReadonlyMap<string, unknown>, L: EngineLimits): Rejection | null {
  if (list === undefined) return null;
  if (!Array.isArray(list)) return reject(RejectCode.INVALID_ARGUMENT, 'preferredAgents must be a list');
  if (list.length > L.maxPreferredAgents) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxPreferredAgents} preferred agents`);
  for (const id of list) {
    const bad = checkId(id, 'preferred agent id', L);
    if (bad) return bad;
    if (!agents.has(id)) return reject(RejectCode.UNKNOWN_AGENT, `preferred agent '${id}' is not defined`);
  }
  return null;
}

/** The shape of requiredAgents and requiredForMs (the agents' existence is checked by the engine). */
export function checkRequiredAgents(list: readonly string[] | undefined, forMs: number | undefined, L: EngineLimits): Rejection | null {
  if (forMs !== undefined) {
    if (list === undefined) return reject(RejectCode.INVALID_ARGUMENT, 'requiredForMs needs requiredAgents');
    const bad = checkDuration(forMs, 'requiredForMs');
    if (bad) return bad;
  }
  if (list === undefined) return null;
  if (!Array.isArray(list) || list.length === 0) return reject(RejectCode.INVALID_ARGUMENT, 'requiredAgents must be a non-empty list');
  if (list.length > L.maxPreferredAgents) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxPreferredAgents} required agents`);
  for (const id of list) {
    const bad = checkId(id, 'required agent id', L);
    if (bad) return bad;
  }
  return null;
}

export function checkRelaxation(
  steps: InteractionSpec['relaxation'],
  spec: InteractionSpec,
  skills: ReadonlySet<string>,
  queues: ReadonlyMap<string, unknown>,
  L: EngineLimits,
): Rejection | null {
  if (steps === undefined) return null;
  if (!Array.isArray(steps)) return reject(RejectCode.INVALID_ARGUMENT, 'relaxation must be a list');
  if (steps.length > L.maxRelaxationSteps) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxRelaxationSteps} relaxation steps`);
  let last = -1;
  // Each step's requirements are checked as they will stand then (the fields it leaves out kept).
  let common: Requirement = spec;
  let alternatives = spec.alternatives;
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i];
    const what = `relaxation[${i}]`;
    if (st === null || typeof st !== 'object') return reject(RejectCode.INVALID_ARGUMENT, `${what} must be an object`);
    const bad =
      checkDuration(st.afterMs, `${what}.afterMs`) ??
      checkRequirement(st, `${what}.`, skills, L) ??
      (st.queue === undefined ? null : checkId(st.queue, `${what}.queue`, L)) ??
      (st.priority === undefined ? null : checkPriority(st.priority)) ??
      (st.skipIfNoneLoggedIn === undefined || typeof st.skipIfNoneLoggedIn === 'boolean'
        ? null
        : reject(RejectCode.INVALID_ARGUMENT, `${what}.skipIfNoneLoggedIn must be a boolean`));
    if (bad) return bad;
    if (st.queue !== undefined && !queues.has(st.queue)) return reject(RejectCode.UNKNOWN_QUEUE, `${what}: queue '${st.queue}' is not defined`);
    if (
      st.skills === undefined &&
      st.labels === undefined &&
      st.selectors === undefined &&
      st.alternatives === undefined &&
      st.queue === undefined &&
      st.priority === undefined
    )
      return reject(RejectCode.INVALID_ARGUMENT, `${what} changes nothing: name skills, labels, selectors, alternatives, queue or priority`);
    if (st.afterMs <= last) return reject(RejectCode.INVALID_ARGUMENT, 'relaxation steps must be in increasing afterMs');
    last = st.afterMs;
    common = { skills: st.skills ?? common.skills, labels: st.labels ?? common.labels, selectors: st.selectors ?? common.selectors };
    alternatives = st.alternatives ?? alternatives;
    const altBad = checkAlternatives(alternatives, st.alternatives !== undefined ? `${what}.alternatives` : 'alternatives', common, skills, L);
    if (altBad) return altBad;
  }
  return null;
}

/** The checks of SetAgentState's arguments (the agents' existence is checked by the engine). */
export function checkAgentStates(agentIds: readonly string[], state: string, reason: string | undefined, L: EngineLimits): Rejection | null {
  if (!Array.isArray(agentIds) || agentIds.length === 0) return reject(RejectCode.INVALID_ARGUMENT, 'agentIds must be a non-empty list');
  if (agentIds.length > L.maxAgentsPerCommand) return reject(RejectCode.LIMIT_EXCEEDED, `more than ${L.maxAgentsPerCommand} agents in one command`);
  if (state !== 'offline' && state !== 'available' && state !== 'away') return reject(RejectCode.INVALID_ARGUMENT, `state must be offline, available or away`);
  if (reason !== undefined) return checkId(reason, 'reason', L);
  return null;
}

/** A notBefore (scheduled work, a callback's time): an epoch time at most MAX_HOLD_MS after `now`. */
export function checkNotBefore(notBefore: unknown, now: number): Rejection | null {
  if (notBefore === undefined) return null;
  if (typeof notBefore !== 'number' || !Number.isFinite(notBefore) || notBefore < 0)
    return reject(RejectCode.INVALID_ARGUMENT, 'notBefore must be a time (epoch milliseconds)');
  if (notBefore > now + MAX_HOLD_MS) return reject(RejectCode.INVALID_ARGUMENT, `notBefore may be at most ${MAX_HOLD_MS / 86_400_000} days ahead`);
  return null;
}
