import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config';

// The worker settings a deployment of several server processes tunes (.env.example; ADR 0007).

describe('worker settings from the environment', () => {
	it('default to a 30 s lease, a 2 s poll and batches of 200', () => {
		expect(loadConfig({ env: {} }).workers).toMatchObject({
			leaseMs: 30_000,
			pollMs: 2000,
			batchSize: 200
		});
	});

	it('take WORKER_LEASE_SECONDS, WORKER_POLL_MS and WORKER_BATCH_SIZE', () => {
		const env = { WORKER_LEASE_SECONDS: '5', WORKER_POLL_MS: '250', WORKER_BATCH_SIZE: '20' };
		expect(loadConfig({ env }).workers).toMatchObject({
			leaseMs: 5000,
			pollMs: 250,
			batchSize: 20
		});
	});

	it('refuse a lease of no time or a typo, saying which variable in Vietnamese', () => {
		for (const env of [
			{ WORKER_LEASE_SECONDS: '0' },
			{ WORKER_LEASE_SECONDS: '30s' },
			{ WORKER_POLL_MS: '5' },
			{ WORKER_BATCH_SIZE: '0' }
		]) {
			const name = Object.keys(env)[0]!;
			expect(() => loadConfig({ env })).toThrow(ConfigError);
			expect(() => loadConfig({ env })).toThrow(new RegExp(`${name}.*phải`));
		}
	});

	it('run the figures worker unless FIGURES_WORKER=off (a typo refused)', () => {
		expect(loadConfig({ env: {} }).workers.figures).toMatchObject({ enabled: true });
		expect(loadConfig({ env: { FIGURES_WORKER: 'off' } }).workers.figures?.enabled).toBe(false);
		expect(() => loadConfig({ env: { FIGURES_WORKER: 'maybe' } })).toThrow(
			/FIGURES_WORKER.*on hoặc off/
		);
	});
});
