import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * A real terminal for the shell: a private tmux server (its own socket), driven with send-keys and
 * read with capture-pane, as a user at a console would see it.
 */
export class TmuxTerminal {
  private readonly socket = `openltm-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(command: string, env: Record<string, string>, size = { width: 200, height: 50 }) {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.tmux('new-session', '-d', '-x', String(size.width), '-y', String(size.height), ...envArgs, command);
    // Keep the pane after the program exits so a crash stays readable in the failure message.
    this.tmux('set-option', '-g', 'remain-on-exit', 'on');
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Types literal text (no key names interpreted). */
  type(text: string): void {
    this.tmux('send-keys', '-l', text);
  }

  /** Sends named keys: Enter, Tab, C-c, C-d, Up. */
  keys(...names: string[]): void {
    this.tmux('send-keys', ...names);
  }

  /** The visible screen plus scrollback, trailing blanks removed. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-2000').replace(/\s+$/, '');
  }

  /** Whether the program in the pane has exited. */
  exited(): boolean {
    return this.tmux('display-message', '-p', '#{pane_dead}').trim() === '1';
  }

  /** Waits until the screen satisfies `test` (polling), or fails with the screen in the message. */
  async waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs = 10000): Promise<string> {
    const ok = typeof test === 'function' ? test : (s: string) => test.test(s);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (ok(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(test)}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the server and removes its socket file (tmux leaves it behind). */
  kill(): void {
    try {
      const socketPath = this.tmux('display-message', '-p', '#{socket_path}').trim();
      this.tmux('kill-server');
      if (socketPath) rmSync(socketPath, { force: true });
    } catch {
      // Already gone.
    }
  }
}
