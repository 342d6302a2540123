/**
 * @openltm/dataplane: turns a desired-state snapshot into running SMTP listeners, load-balanced
 * and health-monitored pools, and a status report. It never imports the store or the parser.
 *
 * The daemon needs only `DataPlane`:
 *   const dp = new DataPlane({ source, sink, logger });
 *   await dp.start();            // applies the current generation, then follows it
 *   process.once('SIGTERM', () => dp.stop());   // stop accepting, drain, resolve
 *   dp.status();                 // the StatusReport (plus pools) written to `sink` each second
 * The rest is exported for tests, tools and a future multi-worker process model.
 */

// Contracts: what the data plane is told, what it reports, the listener seam.
export * from './desired-state';
export * from './contracts';

// The top-level object.
export { DataPlane } from './data-plane';
export type { DataPlaneOptions } from './data-plane';
export { buildStatus, virtualStatus } from './status-reporter';
export type { DataPlaneStatus, ListenerView } from './status-reporter';
export { AvailabilityLog } from './availability-log';

// Every core: a primary (store reads, monitors, listening sockets, status) and worker processes (sessions).
export { PrimaryPlane } from './cluster/primary';
export type { PrimaryOptions } from './cluster/primary';
export { WorkerPlane } from './cluster/worker';
export type { WorkerChannel, WorkerOptions } from './cluster/worker';
export { InheritedSockets, INHERITED_ENV } from './cluster/inherited-sockets';
export type { InheritedSocket } from './cluster/inherited-sockets';
export { limitShare } from './cluster/limit-shares';
export { StateBroadcast, StateAssembly, stateMessage } from './cluster/state-delta';
export { StatsTotals } from './cluster/stats-totals';
export type { PrimaryMessage, WorkerMessage, HealthEntry } from './cluster/messages';

// Reconciliation: pure diff, its side-effect half, the polling loop.
export { diff, sameSpec } from './reconcile/diff';
export type { ReconcileAction, ActualVirtual, VirtualFailure } from './reconcile/diff';
export { ListenerSet } from './reconcile/apply';
export type { ListenerFactory, ListenerSetOptions } from './reconcile/apply';
export { Reconciler } from './reconcile/reconciler';
export type { ReconcilerOptions } from './reconcile/reconciler';
export { retryDelay, isRetryable, failureReason, defaultBackoff } from './reconcile/backoff';
export type { BackoffPolicy } from './reconcile/backoff';
export { zeroVirtualStats, addStats } from './reconcile/virtual-stats';

// Pools: pure member choice, the runtime selector.
export type { MemberView, SelectionState } from './pool/member-view';
export { initialSelectionState, underLimit } from './pool/member-view';
export { selectMember, SUPPORTED_MODES } from './pool/select-member';
export { RESPONSE_SAMPLE_TTL_MS, recentResponse, sampleResponse } from './pool/response-time';
export type { SelectionInput, Selection } from './pool/select-member';
export { PoolRuntime, zeroMemberStats, effectiveHealth } from './pool/pool-runtime';
export type { MemberRuntime } from './pool/pool-runtime';
export { PoolSet, checkTargetsOf, PASSIVE_HOLD_MS } from './pool/pool-set';
export type { PoolStatus, HealthLookup } from './pool/pool-set';

// Persistence: the record table, the session's view of it, and the workers' channel to the primary's table.
export { PersistTable, MAX_PERSIST_RECORDS } from './persist/persist-table';
export type { PersistEntry } from './persist/persist-table';
export { LocalPersistence, sessionPersistence, maskedAddress } from './persist/persistence';
export type { PersistenceService, MemberPersistence } from './persist/persistence';
export { RemotePersistence, servePersistence } from './cluster/persist-channel';

// Health monitors.
export { MonitorScheduler } from './monitor/monitor-scheduler';
export type { CheckState, CheckTarget, ProbeFn, MonitorSchedulerOptions } from './monitor/monitor-scheduler';
export { evaluateRule, effectiveRule, memberHealth, poolAvailability } from './monitor/member-health';
export type { MemberHealth, CheckLookup } from './monitor/member-health';
export { tcpProbe } from './monitor/tcp-probe';
export { smtpProbe } from './monitor/smtp-probe';
export { httpProbe, tcpHalfOpenProbe } from './monitor/http-probe';
export type { ProbeResult } from './monitor/probe-socket';
export { probeDestination } from './monitor/destination';

// The per-virtual listener (SMTP sessions, TLS).
export { VirtualListener, ListenError, emptyVirtualStats } from './listener/virtual-listener';
export type { ListenerOptions, AdmissionOptions } from './listener/virtual-listener';
export type { DeadlineConfig, Expiry } from './session/deadlines';
export { RateWindows } from './listener/rate-windows';
export { buildSecureContext, protocolRange } from './listener/secure-context';
export type { TlsProtocolRange } from './listener/secure-context';

// How a client command line is read (one reader for every verb rule; used by the differential test).
export { readCommand, readContinuation } from './session/command-reader';
export type { Command } from './session/command-reader';
