import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, REPO } from './helpers/built';
import { Sandbox } from './helpers/run-bin';
import { TmuxTerminal } from './helpers/tmux';

/**
 * The seed scenario of tmsh.md section 8 (loopback addresses, high ports), typed into the real
 * bin/tmsh in a real terminal, checked on the screen as the administrator sees it.
 */
/** The prompt at the end of the screen (capture-pane drops its trailing space). */
const PROMPT = /\w+@\([^)]+\)\(\/Common\)\(tmos\)# ?$/;

let box: Sandbox;
let term: TmuxTerminal;

beforeAll(() => {
  ensureBuilt();
  box = new Sandbox();
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=mail.example.test',
    '-keyout', box.path('mail.key'), '-out', box.path('mail.crt'),
  ], { stdio: 'pipe' });
  term = new TmuxTerminal(`${process.execPath} ${join(REPO, 'bin', 'tmsh')}`, { HOME: box.dir, OPENLTM_STORE: box.store });
}, 120000);

afterAll(() => {
  term?.kill();
  box?.remove();
});

/** Types a command, presses Enter, waits for the next prompt; returns what was printed in between. */
async function enter(command: string, expected?: RegExp): Promise<string> {
  term.type(command);
  term.keys('Enter');
  const screen = await term.waitFor((s) => {
    const i = s.lastIndexOf(command);
    return i >= 0 && PROMPT.test(s.slice(i + command.length)) && (!expected || expected.test(s.slice(i)));
  });
  const after = screen.slice(screen.lastIndexOf(command) + command.length);
  return after.replace(PROMPT, '').trim();
}

describe('tmsh interactive shell in a terminal', () => {
  it('opens with the BIG-IP prompt', async () => {
    await term.waitFor(PROMPT);
  });

  it('runs the seed scenario with Tab completion, ? help and multi-line entry', async () => {
    expect(await enter(`create sys file ssl-cert mail.crt source-path file:${box.path('mail.crt')}`)).toBe('');
    expect(await enter(`create sys file ssl-key mail.key source-path file:${box.path('mail.key')}`)).toBe('');
    expect(
      await enter('create ltm profile client-ssl my_cssl defaults-from clientssl cert-key-chain replace-all-with { default { cert mail.crt key mail.key } }'),
    ).toBe('');

    // Tab completes the profile type from the schema.
    term.type('create ltm profile sm');
    term.keys('Tab');
    await term.waitFor(/create ltm profile smtps ?$/);
    expect(await enter('my_smtps defaults-from smtps activation-mode require')).toBe('');

    expect(await enter('create ltm monitor smtp smtp_mon defaults-from smtp domain example.com')).toBe('');

    // ? lists the properties at once, with their help, and keeps the line.
    term.type('create ltm pool p1 ');
    term.type('?');
    const help = await term.waitFor(/members +Pool members, named address:port/);
    expect(help).toMatch(/load-balancing-mode +How a member is chosen/);
    expect(help).toMatch(/create ltm pool p1 ?$/);
    term.keys('C-c');
    await term.waitFor((s) => PROMPT.test(s) && /\^C\n/.test(s));

    // Braces may span lines: the shell waits for the closing one.
    term.type('create ltm pool smtp_pool monitor smtp_mon members replace-all-with {');
    term.keys('Enter');
    await term.waitFor(/\n> ?$/);
    term.type('127.0.0.11:2526 { address 127.0.0.11 }');
    term.keys('Enter');
    term.type('127.0.0.12:2526 { address 127.0.0.12 }');
    term.keys('Enter');
    expect(await enter('}')).toBe('');

    expect(
      await enter(
        'create ltm virtual vs_smtp destination 127.0.0.10:2525 ip-protocol tcp pool smtp_pool profiles replace-all-with { tcp { } my_smtps { } my_cssl { context clientside } } source-address-translation { type automap }',
      ),
      // automap is enforced (member connections leave from 127.0.0.10): no stored-only warning.
    ).toBe('');
    expect(await enter('save sys config')).not.toMatch(/error/i);

    // Tab completes object names from the store and enum values from the schema.
    term.type('modify ltm profile smtps my_sm');
    term.keys('Tab');
    await term.waitFor(/modify ltm profile smtps my_smtps ?$/);
    term.type('activation-mode al');
    term.keys('Tab');
    await term.waitFor(/activation-mode allow ?$/);
    term.keys('C-c');
    await term.waitFor(PROMPT);

    const listed = await enter('list ltm virtual vs_smtp');
    expect(listed).toMatch(/^ltm virtual vs_smtp \{$/m);
    expect(listed).toMatch(/^ {4}destination 127\.0\.0\.10:2525$/m);
    expect(listed).toMatch(/^ {4}pool smtp_pool$/m);
    expect(listed).toMatch(/^ {8}my_cssl \{\n {12}context clientside\n {8}\}$/m);

    const shown = await enter('show ltm virtual vs_smtp');
    expect(shown).toMatch(/Ltm::Virtual Server: vs_smtp/);
    expect(shown).toMatch(/Availability +: /);
    expect(shown).toMatch(/Destination +: 127\.0\.0\.10:2525/);

    const members = await enter('show ltm pool smtp_pool members');
    expect(members).toMatch(/Ltm::Pool: smtp_pool/);
    expect(members).toMatch(/127\.0\.0\.11:2526/);
  });

  it('prints an error and returns to the prompt', async () => {
    expect(await enter('create ltm pool smtp_pool')).toBe(
      '01020066:3: The requested Pool (/Common/smtp_pool) already exists in partition Common.',
    );
    expect(await enter('cd /Common')).toBe('');

    // A partition: cd into it and the prompt's folder group says so, as tmsh's does.
    expect(await enter('create auth partition Tenant')).toBe('');
    term.type('cd /Tenant');
    term.keys('Enter');
    await term.waitFor(/\w+@\([^)]+\)\(\/Tenant\)\(tmos\)# ?$/);
    // A folder in it, entered by a relative name with a trailing slash; `cd ../..` climbs to `/`,
    // from where `recursive` lists every partition, names relative to `/`.
    term.type('create sys folder App');
    term.keys('Enter');
    await term.waitFor(/create sys folder App\n.*\(\/Tenant\)\(tmos\)# ?$/);
    term.type('cd App/');
    term.keys('Enter');
    await term.waitFor(/\w+@\([^)]+\)\(\/Tenant\/App\)\(tmos\)# ?$/);
    term.type('cd ../..');
    term.keys('Enter');
    await term.waitFor(/\w+@\([^)]+\)\(\/\)\(tmos\)# ?$/);
    term.type('list ltm pool recursive one-line');
    term.keys('Enter');
    await term.waitFor(/list ltm pool recursive one-line\nltm pool Common\/smtp_pool \{ .*\}\n.*\(\/\)\(tmos\)# ?$/);
    expect(await enter('cd /Common')).toBe('');

    // Typing a module name enters it, as in tmsh: the prompt says so and the module word may be left out.
    term.type('ltm');
    term.keys('Enter');
    await term.waitFor(/\(tmos\.ltm\)# ?$/);
    term.type('list pool smtp_pool members');
    term.keys('Enter');
    await term.waitFor(/list pool smtp_pool members\n(?:.*\n)*ltm pool smtp_pool \{\n(?:.*\n)*.*\(tmos\.ltm\)# ?$/);
    term.type('help pool');
    term.keys('Enter');
    await term.waitFor(/help pool\n(?:.*\n)*NAME\n {4}ltm pool - A load-balanced set(?:.*\n)*.*\(tmos\.ltm\)# ?$/);
    term.type('exit');
    term.keys('Enter');
    await term.waitFor(PROMPT);
    expect(await enter('help ltm pool')).toMatch(/ltm pool - A load-balanced set of SMTP servers/);
  });

  it('leaves on quit, keeping history and the configuration', async () => {
    term.type('quit');
    term.keys('Enter');
    await term.waitFor(() => term.exited());
    const history = readFileSync(join(box.dir, '.openltm', 'history'), 'utf8');
    expect(history).toContain('create ltm pool smtp_pool monitor smtp_mon members replace-all-with { 127.0.0.11:2526 { address 127.0.0.11 } 127.0.0.12:2526 { address 127.0.0.12 } }\n');
    expect(history).toContain('create ltm profile smtps my_smtps defaults-from smtps activation-mode require\n');
    const pool = box.tmsh('-c', 'list ltm pool smtp_pool');
    expect(pool.status).toBe(0);
    expect(pool.stdout).toMatch(/^ltm pool smtp_pool \{/);
  });
});
