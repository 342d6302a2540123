import type { Command } from '@oclif/core';

/** Help for the `tmsh` entry point, which oclif's help cannot show (it is a single-command CLI). */
export function tmshHelpText(cmd: typeof Command): string {
  const flagLines = Object.entries({ ...cmd.baseFlags, ...cmd.flags }).map(([name, f]) => {
    const char = 'char' in f && f.char ? `-${f.char}, ` : '    ';
    return `  ${char}--${name.padEnd(12)} ${f.description ?? ''}`;
  });
  return [
    cmd.summary ?? '',
    '',
    'USAGE',
    ...[cmd.usage ?? []].flat().map((u) => `  $ ${u}`),
    '',
    'FLAGS',
    ...flagLines,
    '',
    'DESCRIPTION',
    ...(cmd.description ?? '').split('\n').map((l) => `  ${l}`),
    '',
    'EXAMPLES',
    ...cmd.examples.map((e) => `  $ ${typeof e === 'string' ? e : e.command}`),
    '',
  ].join('\n');
}
