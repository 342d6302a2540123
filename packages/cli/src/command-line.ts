/**
 * Joins shell arguments into one tmsh line (`tmsh create ltm pool p1 ...`, `openltm exec ...`).
 * BIG-IP's tmsh joins them with spaces. The shell has removed the quotes around a value with spaces
 * (`description "SMTP pool"`), so such an argument is quoted again, unless it already holds tmsh
 * syntax (quotes or braces, BIG-IP style `'"SMTP pool"'`). A single argument is a whole line
 * (`tmsh "list ltm pool p1"`, `openltm exec "list ltm pool p1"`).
 */
export function joinArgs(args: readonly string[]): string {
  if (args.length === 1) return args[0];
  return args.map(quoteIfNeeded).join(' ');
}

function quoteIfNeeded(arg: string): string {
  if (arg === '') return '""';
  if (/["{}]/.test(arg) || !/\s/.test(arg)) return arg;
  return `"${arg.replace(/\\/g, '\\\\')}"`;
}
