/**
 * @openltm/dataplane: turns a desired-state snapshot into running SMTP listeners, load-balanced
 * and health-monitored pools, and a status report. It never imports the store or the parser.
 */
export * from './desired-state';
export * from './contracts';
export type { MemberView, SelectionState } from './pool/member-view';
export { initialSelectionState, underLimit } from './pool/member-view';
export { selectMember, SUPPORTED_MODES } from './pool/select-member';
export type { SelectionInput, Selection } from './pool/select-member';
