/**
 * The truthful-configuration rule, made mechanical: every property of every type says what the
 * data plane does with it, and an `enforced` claim names real test files that exercise it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OBJECT_TYPES, eachProperty } from '@openltm/model';

const ROOT = join(__dirname, '..', '..', '..');

const all = OBJECT_TYPES.flatMap((def) => eachProperty(def.properties).map((p) => ({ type: def.key, name: p.path.join(' '), leaf: p.path[p.path.length - 1], def: p.def })));

describe('property effects', () => {
  it('classifies every property of every type, nested ones too', () => {
    const unclassified = all.filter((p) => !p.def.effect || !['enforced', 'stored-only', 'metadata'].includes(p.def.effect.kind));
    expect(unclassified.map((p) => `${p.type} ${p.name}`)).toEqual([]);
    // Nested properties are walked: a pool member's ratio and a profile entry's context are there.
    expect(all.map((p) => `${p.type} ${p.name}`)).toEqual(expect.arrayContaining(['ltm pool members ratio', 'ltm virtual profiles context', 'ltm virtual source-address-translation type']));
  });

  it('points every enforced claim at existing test files that name the property', () => {
    const bad: string[] = [];
    for (const p of all) {
      if (p.def.effect.kind !== 'enforced') continue;
      if (p.def.effect.tests.length === 0) bad.push(`${p.type} ${p.name}: enforced without a test`);
      for (const test of p.def.effect.tests) {
        const file = join(ROOT, test);
        if (!/\.test\.ts$/.test(test) || !existsSync(file)) bad.push(`${p.type} ${p.name}: ${test} is not a test file`);
        else if (!readFileSync(file, 'utf8').includes(p.leaf)) bad.push(`${p.type} ${p.name}: ${test} never names "${p.leaf}"`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('keeps read-only properties as metadata: the system sets them, the data plane reads nothing from them', () => {
    expect(all.filter((p) => p.def.readOnly && p.def.effect.kind !== 'metadata').map((p) => `${p.type} ${p.name}`)).toEqual([]);
  });
});
