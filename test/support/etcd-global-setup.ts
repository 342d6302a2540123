/** Starts the etcd the store suite runs against in the "store on etcd" jest project. */
import { startEtcd, type EtcdCluster } from './etcd';

export default async function setup(): Promise<void> {
  const cluster = await startEtcd();
  (globalThis as { openltmEtcd?: EtcdCluster }).openltmEtcd = cluster;
  process.env.OPENLTM_TEST_ETCD_URL = cluster.url('');
}
