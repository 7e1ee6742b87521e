const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

// Packages published as ES modules: babel-jest must transform them.
// (@lumino packages ship UMD bundles as `main`, so they need no transform.)
const esModules = [
  '@codemirror',
  '@jupyter',
  '@jupyterlab',
  '@lezer',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yaml',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: [
    'src/**/*.{ts,tsx}',
    '!src/**/*.d.ts',
    '!src/__tests__/**'
  ],
  coverageReporters: ['lcov', 'text'],
  modulePathIgnorePatterns: ['<rootDir>/jwst_lab/labextension'],
  reporters: ['default'],
  // Only src/ holds tests; not crawling .venv/ and ui-tests/ saves seconds.
  roots: ['<rootDir>/src'],
  testRegex: 'src/__tests__/.*\\.spec\\.tsx?$',
  transform: {
    ...baseConfig.transform,
    // tsconfig.test.json sets isolatedModules: transpile only; `jlpm typecheck` does the type checking.
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: './tsconfig.test.json' }]
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esModules})).+`]
};
