// Two tiers, each runnable alone: unit tests sit beside the code (*.spec.ts); integration tests
// under test/ (and a service's own under services/<name>/test/) talk to a real Kafka broker and a
// real PostgreSQL (*.int-spec.ts).
const moduleNameMapper = {
  '^@app/(policy|contracts|kafka|persistence|testing|service-kit|stream|sample|consent-adapters|audit-store)$':
    '<rootDir>/libs/$1/src',
  '^@app/(policy|contracts|kafka|persistence|testing|service-kit|stream|sample|consent-adapters|audit-store)/(.*)$':
    '<rootDir>/libs/$1/src/$2',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  // jose (OIDC tokens) ships ES modules only: Node 24 requires them natively, Jest's module runtime
  // does not, so its files are compiled to CommonJS for the tests.
  '/node_modules/jose/.+\\.js$': [
    'ts-jest',
    {
      tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2023', esModuleInterop: true },
      isolatedModules: true,
    },
  ],
};
const transformIgnorePatterns = ['/node_modules/(?!jose/)'];
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleNameMapper,
  transform,
  transformIgnorePatterns,
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/services/**/*.spec.ts',
        '<rootDir>/cli/**/*.spec.ts',
        '<rootDir>/bench/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts', '<rootDir>/services/*/test/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/integration.setup.ts'],
    },
  ],
};
