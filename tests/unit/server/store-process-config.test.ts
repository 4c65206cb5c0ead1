import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../server/config';

// Where the embedded store runs (.env.example; ADR 0013): its own process for LevelDB, the server's
// for the memory store of the tests, unless DOANVU_STORE_PROCESS says otherwise.

describe('DOANVU_STORE_PROCESS', () => {
	it('defaults to a child for LevelDB and inline for the memory store', () => {
		expect(loadConfig({ env: {} }).storeProcess).toBe('child');
		expect(loadConfig({ env: { DOANVU_STORE: 'memory' } }).storeProcess).toBe('inline');
		// As the test servers ask for it: the memory store in code, not in the environment.
		expect(loadConfig({ env: {}, overrides: { store: 'memory' } }).storeProcess).toBe('inline');
		expect(
			loadConfig({ env: { DOANVU_STORE: 'memory' }, overrides: { store: 'leveldb' } }).storeProcess
		).toBe('child');
	});

	it('overrides the default either way', () => {
		const env = { DOANVU_STORE: 'memory', DOANVU_STORE_PROCESS: 'child' };
		expect(loadConfig({ env }).storeProcess).toBe('child');
		expect(loadConfig({ env: { DOANVU_STORE_PROCESS: ' inline ' } }).storeProcess).toBe('inline');
	});

	it('refuses anything else, in Vietnamese', () => {
		const env = { DOANVU_STORE_PROCESS: 'thread' };
		expect(() => loadConfig({ env })).toThrow(ConfigError);
		expect(() => loadConfig({ env })).toThrow(/DOANVU_STORE_PROCESS phải là child hoặc inline/);
	});
});
