import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { criticalChunkName } from './scripts/sw/critical-chunks.js';

const nodePouch = fileURLToPath(new URL('./tests/support/pouchdb-node.ts', import.meta.url));

export default defineConfig({
	plugins: [
		sveltekit(),
		{
			// Needed by `includeDependenciesRecursively: false` below (Rolldown refuses it with the
			// 'strict' SvelteKit sets): an entry keeps every export of its source and may gain others.
			name: 'doanvu-entry-signatures',
			apply: 'build',
			options: (options) => ({ ...options, preserveEntrySignatures: 'allow-extension' })
		}
	],
	// Module workers: the members import's worker (member-import-worker.ts) loads exceljs lazily,
	// which the default classic (iife) worker format cannot split.
	worker: { format: 'es' },
	server: { port: 5173 },
	build: {
		target: 'es2020',
		chunkSizeWarningLimit: 400,

		rolldownOptions: {
			output: {
				codeSplitting: {
					// A group takes only the modules it names, not what they import: else the `shell` and
					// `screens` chunks pulled in the framework, and every page (/khai's too) loaded them.
					includeDependenciesRecursively: false,
					groups: [
						{
							// What the members' public page (/khai) needs before its form is usable, in a chunk
							// of its own: left to the default split, these small modules share chunks with the
							// app's (the rules table, the schemas), and the page would pass its 60 KB budget
							// (docs/decisions/0019-self-declarations.md). Its checks load after the form shows.
							name: 'declaration-basics',
							test: /src\/lib\/domain\/(labels|dates|ethnic-groups|text|member-field-labels|org\/ids|declarations\/(codes|consent-texts|declared-fields))\.ts$/,
							priority: 1
						},
						{
							// The offline core in two chunks, `shell` and `screens`, rather than ~80 small
							// ones: each costs a 3G round trip before the app opens offline
							// (scripts/sw/critical-chunks.ts, docs/decisions/0024-offline-ready-and-progress.md).
							name: criticalChunkName,
							debugName: 'offline core'
						}
					]
				}
			}
		}
	},
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['tests/unit/**/*.test.ts'],
					environment: 'node',
					// The tests' clock (DOANVU_TEST_NOW), see tests/support/clock.ts.
					setupFiles: ['tests/support/test-clock-setup.ts'],
					alias: { 'pouchdb-browser': nodePouch }
				}
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 60_000,
					alias: { 'pouchdb-browser': nodePouch }
				}
			},
			{
				extends: true,
				test: {
					name: 'security',
					include: ['tests/security/**/*.test.ts'],
					environment: 'node',
					globalSetup: ['tests/security/support/attack-summary.ts'],
					testTimeout: 120_000,
					hookTimeout: 120_000,
					alias: { 'pouchdb-browser': nodePouch }
				}
			},
			{
				extends: true,
				test: {
					name: 'e2e',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					setupFiles: ['tests/support/test-clock-setup.ts'],
					testTimeout: 180_000,
					hookTimeout: 180_000,
					// A screen on a busy 2-core machine can take seconds to show what it will show;
					// expect.poll's default second made browser tests fail for the machine's load.
					expect: { poll: { timeout: 10_000 } },
					fileParallelism: false
				}
			}
		]
	}
});
