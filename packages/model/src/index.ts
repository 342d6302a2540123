/**
 * @openltm/model: the declarative schema of every object type, the BIG-IP error codes,
 * and address helpers. No runtime dependencies; every other package reads it.
 */
export * from './errors';
export * from './value-types';
export * from './property-walk';
export * from './object-type';
export * from './schema';
export * from './address';
export * from './prefix';
export * from './runtime-status';
export * from './persist-flush';
export { LOAD_BALANCING_MODES, IMPLEMENTED_LOAD_BALANCING_MODES, UNIMPLEMENTED_MODE_REASONS, poolMemberEntry } from './types/ltm-pool';
export { certKeyChainEntry, SNI_SHARED_SETTINGS } from './types/ltm-profile-client-ssl';
export { PROFILE_TYPES } from './types/profile-types';
export { PERSISTENCE_TYPES } from './types/ltm-persistence';
export { STORED_ONLY_MONITOR_TYPES } from './types/ltm-monitor';
