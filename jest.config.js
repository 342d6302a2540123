/**
 * One jest config for the whole repo. `@openltm/*` maps to each package's src so tests never
 * run a stale build; @swc/jest strips types (tsc -b does the type checking).
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleNameMapper: { '^@openltm/([a-z-]+)$': '<rootDir>/packages/$1/src' },
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  testTimeout: 30000,
};
