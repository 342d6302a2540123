/**
 * One openltm instance in front of one private Postfix, configured through the real tmsh with
 * three virtuals, one per STARTTLS activation mode, all using the default /Common/clientssl
 * (the store's self-signed certificate; the client wrappers do not verify it).
 */
import { createOpenltm, OpenltmInstance } from './openltm';
import { postfixProcessesUnder, PrivatePostfix, startPostfix } from './postfix';
import { makeSelfSignedCert } from './certs';
import { freePort, isListening, waitForListen } from './ports';

export type ActivationMode = 'none' | 'allow' | 'require';

export interface E2eProxy {
  ltm: OpenltmInstance;
  postfix: PrivatePostfix;
  /** The virtual server port for each activation mode. */
  ports: Record<ActivationMode, number>;
  /** Stops the daemon and Postfix, removes their directories; safe after a failed start. */
  stop(): Promise<void>;
}

export async function startE2eProxy(modes: readonly ActivationMode[] = ['none', 'allow', 'require']): Promise<E2eProxy> {
  const cert = await makeSelfSignedCert({ keyType: "ec" });
  const postfix = await startPostfix({ tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
  const ltm = createOpenltm();
  const ports = {} as Record<ActivationMode, number>;
  const stop = async (): Promise<void> => {
    await ltm.stop();
    await postfix.stop();
    cert.remove();
    const left = postfixProcessesUnder(postfix.dir);
    if (left.length) throw new Error(`Postfix processes left behind: ${left.join(', ')}`);
    for (const port of Object.values(ports)) {
      if (isListening(port)) throw new Error(`127.0.0.1:${port} still listening after the daemon stopped`);
    }
  };
  try {
    await ltm.tmshOk(`create ltm pool p_pf members replace-all-with { 127.0.0.1:${postfix.port} { address 127.0.0.1 } }`);
    for (const mode of modes) {
      ports[mode] = await freePort();
      await ltm.tmshOk(`create ltm profile smtps s_${mode} activation-mode ${mode}`);
      await ltm.tmshOk(
        `create ltm virtual vs_${mode} destination 127.0.0.1:${ports[mode]} pool p_pf ` +
          `profiles replace-all-with { /Common/tcp { } s_${mode} { } /Common/clientssl { context clientside } }`,
      );
    }
    await ltm.startDaemon();
    for (const mode of modes) await waitForListen(ports[mode], { timeoutMs: 10_000 });
  } catch (e) {
    const log = ltm.daemonLog();
    await stop().catch(() => undefined);
    throw new Error(`${(e as Error).message}\ndaemon log:\n${log}`);
  }
  return { ltm, postfix, ports, stop };
}

/** A token unique to this run and test, to find one message among the queued ones. */
export function uniqueToken(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
