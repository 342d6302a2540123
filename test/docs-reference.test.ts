import { readFileSync } from 'node:fs';
import * as model from '@openltm/model';
import { generateReference, REFERENCE_PATH } from '../docs/generate-reference';

describe('docs/reference.md', () => {
  const fresh = generateReference(model);

  it('is up to date with the schema', () => {
    const onDisk = readFileSync(REFERENCE_PATH, 'utf8');
    if (onDisk !== fresh) {
      throw new Error('docs/reference.md is out of date with @openltm/model: run `npm run build && node docs/generate-reference.js` and commit docs/reference.md');
    }
  });

  it('documents every object type and every property with its default', () => {
    for (const t of model.OBJECT_TYPES) {
      expect(fresh).toContain(`### ${t.key}\n`);
      for (const name of Object.keys(t.properties)) expect(fresh).toContain(`| \`${name}\` |`);
    }
    expect(fresh).toMatch(/\| `activation-mode` \| enum \| `none`, `allow`, `require` \| `require` \| enforced \|/);
    expect(fresh).toContain('| `members NAME ratio` | integer | 1 to 65535 |');
    expect(fresh).toMatch(/\| `mirror` \| enum \| `enabled`, `disabled` \| `disabled` \| \*\*stored only\*\* \|/);
    expect(fresh).not.toContain('unclassified');
  });
});
