import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', globalThis: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Nest idiom: decorated classes with no body, listeners with unused parameters.
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // Documentation samples show signatures and values a reader would use.
    files: ['docs/examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  {
    // Transports and the shared contract know no Nest DI (see .dependency-cruiser.cjs,
    // transports-know-no-nest-di): from @nestjs/common they may take Logger, nothing injectable.
    files: ['lib/transports/**/*.ts', 'lib/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@nestjs/common',
              allowImportNames: ['Logger'],
              message: 'Transports know no Nest DI: take what you need as constructor options (messagio.providers.ts); Logger is the one import allowed.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
