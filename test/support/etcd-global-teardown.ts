/** Stops the etcd the global setup started. */
import type { EtcdCluster } from './etcd';

export default async function teardown(): Promise<void> {
  await (globalThis as { openltmEtcd?: EtcdCluster }).openltmEtcd?.stop();
}
