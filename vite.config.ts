import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const nodePouch = fileURLToPath(new URL('./tests/support/pouchdb-node.ts', import.meta.url));

export default defineConfig({
	plugins: [sveltekit()],
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
					groups: [
						{
							// What the members' public page (/khai) needs before its form is usable, in a chunk
							// of its own: left to the default split, these small modules share chunks with the
							// app's (the rules table, the schemas), and the page would pass its 60 KB budget
							// (docs/decisions/0019-self-declarations.md). Its checks load after the form shows.
							name: 'declaration-basics',
							test: /src\/lib\/domain\/(labels|dates|ethnic-groups|text|member-field-labels|org\/ids|declarations\/(codes|consent-texts|declared-fields))\.ts$/
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
