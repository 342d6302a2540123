/**
 * One jest config for the whole repo. `@openltm/*` maps to each package's src so tests never
 * run a stale build; @swc/jest strips types (tsc -b does the type checking).
 *
 * Two projects: everything, and the store's suite again on the etcd driver (parity), against a
 * real etcd the global setup starts on a free 127.0.0.1 port.
 */
const common = {
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper: { '^@openltm/([a-z-]+)$': '<rootDir>/packages/$1/src' },
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
};

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'openltm', roots: ['<rootDir>/packages', '<rootDir>/test'], testMatch: ['**/test/**/*.test.ts'] },
    {
      ...common,
      displayName: 'store on etcd',
      roots: ['<rootDir>/packages/store'],
      testMatch: ['**/test/**/*.test.ts'],
      globals: { OPENLTM_STORE_DRIVER: 'etcd' },
      globalSetup: '<rootDir>/test/support/etcd-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/etcd-global-teardown.ts',
    },
  ],
};
