import { Flags } from '@oclif/core';
import { OpenltmCommand } from '../base-command';

/** `openltm api`: the iControl REST API (and /metrics) over HTTPS on the store. */
export default class Api extends OpenltmCommand {
  static override summary = 'Serve the iControl REST API (/mgmt/tm/...) over HTTPS';
  static override description =
    'Serves /mgmt/tm/... for every object type, token login at /mgmt/shared/authn/login and transactions, ' +
    'with HTTP Basic or token authentication against `auth user` objects. The certificate and key come from the ' +
    'store. Runs until SIGTERM.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> --address 127.0.0.1 --port 8443',
    '<%= config.bin %> <%= command.id %> --cert api.crt --key api.key --address 192.0.2.10',
  ];
  static override flags = {
    address: Flags.string({ description: 'Address to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'TCP port (0 picks a free one; the port is logged)', default: 8443 }),
    cert: Flags.string({ description: 'sys file ssl-cert the API presents', default: 'default.crt' }),
    key: Flags.string({ description: 'sys file ssl-key of that certificate', default: 'default.key' }),
    'allow-anonymous-loopback': Flags.boolean({ description: 'Let loopback clients in without credentials (only with a loopback --address)', default: false }),
    'upload-dir': Flags.string({ description: 'Where uploaded certificate and key files wait for import (default: api-uploads beside the store)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Api);
    const { resolveStorePath } = await import('../store-path');
    const { openStoreAt } = await import('../open-store');
    const { serveApi } = await import('../api/serve-api');
    const log = this.logger({ 'log-level': flags['log-level'] ?? 'info', 'log-file': flags['log-file'] });
    const logger = log.pino.child({ component: 'api' });
    const store = openStoreAt(resolveStorePath(flags.store));
    let api;
    try {
      api = await serveApi(store, logger, {
        host: flags.address, port: flags.port, cert: flags.cert, key: flags.key,
        anonymousLoopback: flags['allow-anonymous-loopback'], ...(flags['upload-dir'] ? { uploadDir: flags['upload-dir'] } : {}),
      });
    } catch (err) {
      store.close();
      this.error((err as Error).message, { exit: 1 });
    }
    const running = api;
    await new Promise<void>((resolve) => {
      const stop = (): void => void running.close().then(() => resolve());
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    store.close();
  }
}
