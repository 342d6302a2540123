/**
 * Monitor rules as stored: `none`, `default` (members: use the pool's), `/Common/a`,
 * `/Common/a and /Common/b`, `min 1 of { /Common/a /Common/b }`.
 */
export interface ParsedMonitorRule {
  monitors: string[];
  minimum: number | 'all';
  /** `default`: a member follows its pool's rule, a node the default node monitor. */
  isDefault?: boolean;
}

export function parseMonitorRule(text: string): ParsedMonitorRule {
  const t = text.trim();
  if (t === '' || t === 'none') return { monitors: [], minimum: 'all' };
  if (t === 'default') return { monitors: [], minimum: 'all', isDefault: true };
  const min = /^min\s+(\d+)\s+of\s+\{(.*)\}$/.exec(t);
  if (min) return { monitors: min[2].trim().split(/\s+/).filter(Boolean), minimum: Number(min[1]) };
  return { monitors: t.split(/\s+and\s+/).map((s) => s.trim()), minimum: 'all' };
}

/** Formats a rule with each monitor name passed through `name` (relative for list, full for save). */
export function formatMonitorRule(rule: ParsedMonitorRule, name: (path: string) => string = (p) => p): string {
  if (rule.isDefault) return 'default';
  if (rule.monitors.length === 0) return 'none';
  const names = rule.monitors.map(name);
  if (rule.minimum === 'all') return names.join(' and ');
  return `min ${rule.minimum} of { ${names.join(' ')} }`;
}
