/**
 * Warnings a create or modify prints after it succeeds: the schema marks a property value that
 * weakens something with `warnWhen`, and the statement that sets it says so (the change is made).
 */
import { typeOf } from '@openltm/model';
import type { Property } from '@openltm/parser';

export function propertyWarnings(typeKey: string, properties: readonly Property[]): string[] {
  const defs = typeOf(typeKey).properties;
  const out: string[] = [];
  for (const p of properties) {
    const warn = defs[p.name]?.warnWhen;
    if (warn && p.kind === 'property' && p.value.kind === 'scalar' && warn.values.includes(p.value.text)) out.push(warn.message);
  }
  return out;
}

/** How tmsh shows them: after the command, one line each. */
export function formatWarnings(warnings: readonly string[]): string {
  return warnings.map((w) => `Warning: ${w}\n`).join('');
}
