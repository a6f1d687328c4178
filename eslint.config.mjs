// Strict TypeScript linting; Prettier owns formatting (eslint-config-prettier turns off the clashes).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Import patterns that reach into the given top-level folders (relative paths of any depth). */
const boundaries = (folders) =>
  folders.map((folder) => ({
    group: [`**/${folder}/**`, `${folder}/**`],
    message: `Do not import from ${folder}/: move what is shared into a library under libs/.`,
  }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'var/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    // Nest injects by the runtime type of constructor parameters: keep those imports as values.
    // Type information (projectService) lets the promise rules see what is a promise.
    languageOptions: {
      parserOptions: {
        emitDecoratorMetadata: true,
        experimentalDecorators: true,
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A promise nobody awaits loses its error (and, in the engine, the ordering of a step).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  {
    // Boundaries: only a service's own files import from services/; libraries never import the
    // programs built on them; cli/ and bench/ import libraries only, never each other.
    files: ['libs/**/*.ts', 'cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: boundaries(['services', 'cli', 'bench']) }] },
  },
  {
    files: ['services/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: boundaries(['cli', 'bench']) }] },
  },
  {
    // The decision core and the consent adapters are pure: no framework, broker, database or environment inside.
    files: ['libs/policy/src/**/*.ts', 'libs/consent-adapters/src/**/*.ts'],
    ignores: ['libs/policy/src/**/*.spec.ts', 'libs/consent-adapters/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...boundaries(['services', 'cli', 'bench']),
            {
              group: ['@nestjs/*', 'kafkajs', 'typeorm', 'pg', 'fs', 'node:fs', 'node:process', 'process'],
              message: 'libs/policy and libs/consent-adapters are pure: pass data and time in as arguments.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        {
          name: 'process',
          message: 'libs/policy and libs/consent-adapters are pure: no environment inside.',
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'libs/policy and libs/consent-adapters are pure: time is an argument.',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
