/**
 * Warnings a create or modify gives after it succeeds: the schema marks a property value that
 * weakens something with `warnWhen`, and the statement that sets it says so (the change is made).
 * They go through the executor's one warnings channel (ExecuteResult.warnings), as stored-only
 * warnings do.
 */
import { errors, typeOf, type ConfigError, type SourcePosition } from '@openltm/model';
import type { Property } from '@openltm/parser';

export function propertyWarnings(typeKey: string, properties: readonly Property[], position?: SourcePosition): ConfigError[] {
  const defs = typeOf(typeKey).properties;
  const out: ConfigError[] = [];
  for (const p of properties) {
    const warn = defs[p.name]?.warnWhen;
    if (warn && p.kind === 'property' && p.value.kind === 'scalar' && warn.values.includes(p.value.text)) out.push(errors.weakened(warn.message, position));
  }
  return out;
}
